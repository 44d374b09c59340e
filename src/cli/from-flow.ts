/**
 * `guuru-emulator scenario from-flow FILE`: a flow file written by `verify --explore` as a scenario
 * file of scenarios/ (every chat, its faults as fault rules), checked by the scenario loader before
 * it is written. Needs no emulator.
 */
import { writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { parseScenarioText } from '../scenarios/loader.js';
import { toScenarioYaml } from '../verify/explore/to-scenario.js';
import { UsageError } from './remote.js';
import { readFlowFile } from './verify.js';

export interface FromFlowFlags {
  out?: string;
  name?: string;
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;

export async function scenarioFromFlow(path: string, flags: FromFlowFlags, out: Pick<Console, 'log'> = console) {
  if (flags.name !== undefined && !NAME.test(flags.name))
    throw new UsageError(`--name: "${flags.name}" is not a kebab-case scenario name such as explore-acts-once.`);
  const file = await readFlowFile(path, '<file>');
  const name = flags.name ?? `explore-${file.property.replace(/^explore\./, '')}`;
  const target = flags.out ?? `${name}.yaml`;
  const yaml = toScenarioYaml(file, name);
  // What the scenario engine will read: a file it refuses is not written.
  const scenario = parseScenarioText(yaml, basename(target));
  await writeFile(target, yaml);
  const chats = new Set(file.flow.map((s) => s.chat)).size;
  out.log(
    `written to ${target}: scenario ${scenario.name}, ${chats} chat${chats === 1 ? '' : 's'}, ${file.flow.length} flow steps as ${scenario.steps.length} scenario steps`,
  );
  out.log(
    `run it with: guuru-emulator scenario run ${scenario.name} --scenarios ${dirname(target)} --target <your webhook URL>`,
  );
  return 0;
}
