/**
 * Process entry of the CLI (dist/main.js: `guuru-emulator`, `npm start`, the Docker image): turns
 * on Node's compile cache where there is one, then runs the program (main.ts). Nothing else is
 * imported here: the cache must be on before the program's modules load.
 */
import module from 'node:module';

/**
 * Node ≥ 22.1 keeps the V8 code of every module it compiles on disk (in the system's temporary
 * folder, or NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so a second start
 * compiles nothing. Node 20 has no such cache for ES modules without flags: there it is skipped.
 */
const cache = module as { enableCompileCache?: () => unknown };
cache.enableCompileCache?.();

await import('./main.js');
