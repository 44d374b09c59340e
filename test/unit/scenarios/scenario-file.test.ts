import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../../../src/scenarios/loader.js';
import { ScenarioFileError } from '../../../src/scenarios/schema.js';

const FILE = 'scenarios/broken.yaml';

/** The lines of the error a file gives, or [] when it loads. */
const mistakes = (yaml: string): string[] => {
  try {
    parseScenarioText(yaml, FILE);
    return [];
  } catch (error) {
    if (!(error instanceof ScenarioFileError)) throw error;
    expect(error.message).toBe(error.problems.join('\n'));
    return error.problems;
  }
};

describe('a scenario file with mistakes', () => {
  it('reports every one at once, each naming the file and where: top-level keys, steps, nested steps and handlers', () => {
    const yaml = [
      'name: Broken One',
      'colour: red',
      'steps:',
      '  - open: { question: 3 }',
      '  - rate: { rating: superb }',
      '  - repeat: { times: 2, steps: [{ miss: {} }, { dance: {} }] }',
      '  - customer:',
      '      on:',
      '        replied: [{ open: {} }]',
      '        sneezed: []',
      '  - wait: forever',
    ].join('\n');
    expect(mistakes(yaml)).toEqual([
      `${FILE}: name: a kebab-case name such as happy-path`,
      `${FILE}: description: required: one line on what the scenario plays (scenario list shows it)`,
      `${FILE}: Unrecognized key: "colour"`,
      `${FILE}: steps[0] (open): question: Invalid input: expected string, received number`,
      `${FILE}: steps[1] (rate): rating: "superb" is not one of good, average, bad (or a {{param}} reference)`,
      expect.stringMatching(
        new RegExp(`^${FILE}: steps\\[2\\]\\.repeat\\.steps\\[1\\]: unknown action "dance"; actions are open, `),
      ),
      expect.stringMatching(
        new RegExp(
          `^${FILE}: steps\\[3\\]\\.customer\\.on\\.replied\\[0\\]: "open" cannot be used in a customer's handler`,
        ),
      ),
      `${FILE}: steps[3].customer.on: unknown event "sneezed"; a customer reacts to accepted, replied, closed, reopened, transferred, no-accept, no-reply, no-close`,
      expect.stringMatching(new RegExp(`^${FILE}: steps\\[4\\] \\(wait\\): `)),
    ]);
  });

  it('names a missing name, description or steps as required', () => {
    expect(mistakes('params: {}\n')).toEqual([
      `${FILE}: name: required: the name you run it by, such as happy-path`,
      `${FILE}: description: required: one line on what the scenario plays (scenario list shows it)`,
      `${FILE}: steps: required: the list of steps`,
    ]);
  });

  it('checks named chats and fault steps: the fault kinds of the webhooks, a chat name, a delay as a duration', () => {
    expect(
      mistakes(
        [
          'name: faults',
          'description: x',
          'steps:',
          '  - open: { as: "no spaces" }',
          '  - in-chat: { name: A }',
          '  - fault: { kind: explode }',
          '  - fault: { kind: delay, delay: soon, times: 0 }',
        ].join('\n'),
      ),
    ).toEqual([
      `${FILE}: steps[0] (open): as: a chat name such as A or second-chat`,
      `${FILE}: steps[1] (in-chat): a chat name such as A or second-chat`,
      expect.stringMatching(
        new RegExp(
          `^${FILE}: steps\\[2\\] \\(fault\\): kind: .*"duplicate"\\|"delay"\\|"reorder"\\|"drop-first-attempt"`,
        ),
      ),
      expect.stringMatching(new RegExp(`^${FILE}: steps\\[3\\] \\(fault\\): times: a whole number ≥ 1`)),
      expect.stringMatching(new RegExp(`^${FILE}: steps\\[3\\] \\(fault\\): delay: a duration`)),
    ]);
    expect(
      mistakes(
        [
          'name: faults',
          'description: x',
          'steps:',
          '  - open: { as: A }',
          '  - fault: { kind: delay, delay: 300ms, event: message-created, times: 2 }',
          '  - in-chat: A',
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  it('loads a correct file (the checker is not simply refusing everything)', () => {
    expect(
      mistakes(
        'name: fine\ndescription: opens and misses\nsteps:\n  - open: {}\n  - customer: { on: { no-accept: [{ miss: {} }] } }\n',
      ),
    ).toEqual([]);
  });
});
