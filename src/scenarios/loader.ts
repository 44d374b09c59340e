import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { yaml } from '../kernel/yaml.js';
import { packagePath } from '../kernel/paths.js';
import { parseScenario, ScenarioFileError, type Scenario } from './schema.js';

export const builtInScenariosDir = (): string => packagePath('scenarios');

export interface LoadedScenarios {
  scenarios: Map<string, Scenario>;
  /** The mistakes of the files that could not be used, one message each naming its file (the other files still load). */
  errors: string[];
}

/** The built-in files never change while the process runs: they are read and validated once. */
let builtIns: LoadedScenarios | undefined;

/**
 * Reads every *.yaml / *.yml of the built-in folder, then of each extra folder (a later file with
 * the same name replaces an earlier one). A broken file is reported and skipped.
 */
export function loadScenarios(extraDirs: string[] = []): LoadedScenarios {
  builtIns ??= readFolders([{ dir: builtInScenariosDir(), builtIn: true }]);
  if (extraDirs.length === 0) return { scenarios: new Map(builtIns.scenarios), errors: [...builtIns.errors] };
  const extra = readFolders(extraDirs.map((dir) => ({ dir, builtIn: false })));
  return {
    scenarios: new Map([...builtIns.scenarios, ...extra.scenarios]),
    errors: [...builtIns.errors, ...extra.errors],
  };
}

/** One scenario file's text, validated (a ScenarioFileError names the file, the step and the field). */
export function parseScenarioText(text: string, file: string, builtIn = false): Scenario {
  let raw: unknown;
  try {
    raw = yaml().parse(text);
  } catch (error) {
    throw new ScenarioFileError([`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  return parseScenario(raw, file, builtIn);
}

function readFolders(dirs: { dir: string; builtIn: boolean }[]): LoadedScenarios {
  const scenarios = new Map<string, Scenario>();
  const errors: string[] = [];
  for (const { dir, builtIn } of dirs) {
    let files: string[];
    try {
      files = readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort();
    } catch (error) {
      errors.push(
        `${dir}: cannot read the scenarios folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
      continue;
    }
    for (const name of files) {
      const file = join(dir, name);
      try {
        const scenario = parseScenarioText(readFileSync(file, 'utf8'), file, builtIn);
        scenarios.set(scenario.name, scenario);
      } catch (error) {
        errors.push(...(error instanceof ScenarioFileError ? error.problems : [`${file}: ${String(error)}`]));
      }
    }
  }
  return { scenarios, errors };
}
