import { DomainError } from '../domain/errors.js';
import type { Logger } from '../kernel/logger.js';
import { loadScenarios, parseScenarioText, type LoadedScenarios } from './loader.js';
import { ScenarioFileError, type Scenario } from './schema.js';

/** Scenarios kept at most (built-in, --scenarios folders and uploads together). */
export const MAX_SCENARIOS = 500;

/**
 * The scenarios a run can be started from: the built-in ones, the --scenarios folders, and files
 * sent as text. Read when first needed: a test file that never runs one pays nothing at start.
 */
export class ScenarioRegistry {
  private loaded: LoadedScenarios | undefined;

  constructor(
    private readonly dirs: string[],
    private readonly logger: Logger,
  ) {}

  get scenarios(): Map<string, Scenario> {
    return this.load().scenarios;
  }

  get errors(): string[] {
    return this.load().errors;
  }

  private load(): LoadedScenarios {
    if (!this.loaded) {
      this.loaded = loadScenarios(this.dirs);
      for (const error of this.loaded.errors) this.logger.warn(`scenario skipped: ${error}`);
    }
    return this.loaded;
  }

  /**
   * Adds scenario files sent as text (`scenario run --scenarios DIR` against a running emulator): each
   * is validated like a file of a folder; a valid one replaces a scenario of the same name.
   */
  addFiles(files: { file: string; yaml: string }[]): { scenarios: string[]; errors: string[] } {
    const added: string[] = [];
    const errors: string[] = [];
    for (const { file, yaml } of files) {
      try {
        const scenario = parseScenarioText(yaml, file);
        // Replacing one is always fine; new names are bounded, so uploads cannot grow the process without end.
        if (!this.scenarios.has(scenario.name) && this.scenarios.size >= MAX_SCENARIOS) {
          errors.push(
            `${file}: ${this.scenarios.size} scenarios are loaded, the most the emulator keeps (${MAX_SCENARIOS}); replace one by sending a file with its name.`,
          );
          continue;
        }
        this.scenarios.set(scenario.name, scenario);
        added.push(scenario.name);
      } catch (error) {
        errors.push(...(error instanceof ScenarioFileError ? error.problems : [`${file}: ${String(error)}`]));
      }
    }
    return { scenarios: added, errors };
  }

  list(): Scenario[] {
    return [...this.scenarios.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  find(name: string): Scenario {
    const scenario = this.scenarios.get(name);
    if (!scenario)
      throw new DomainError(
        'NOT_FOUND',
        `No scenario "${name}". GET /_emulator/scenarios lists them: ${this.list()
          .map((s) => s.name)
          .join(', ')}.`,
      );
    return scenario;
  }
}
