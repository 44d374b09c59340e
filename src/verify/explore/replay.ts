import { stringify } from 'yaml';
import { FLOW_FILE_KIND, type FlowFile } from './flow-file.js';
import { describeStep, type Flow } from './model.js';
import type { PropertyId } from './properties.js';
import type { Recorded } from './runner.js';

/** A failing flow of `verify --explore` as its flow file (flow-file.ts) and as a scenario file. */

export interface FlowFileInput {
  property: PropertyId;
  rule: string;
  failure: string;
  seed: number;
  tenant: string;
  timeoutMs: number;
  graceMs: number;
  maxSilenceMs: number;
  flow: Flow;
  deliveries: Recorded;
  chats: Record<string, string>;
}

/** "1. chat A assigned to api" … one line per step. */
export const numbered = (flow: Flow): string[] => flow.map((s, i) => `${i + 1}. ${describeStep(s)}`);

export const toFlowFile = (input: FlowFileInput): FlowFile => ({
  kind: FLOW_FILE_KIND,
  version: 1,
  ...input,
  steps: numbered(input.flow),
  deliveries: input.deliveries.map((d) => ({ ...d })),
});

/**
 * The flow as a scenario of scenarios/ (chat A's steps: the scenario engine plays one chat; delivery
 * faults have no scenario step and are left out, said in the description).
 */
export function toScenarioYaml(file: FlowFile, name = 'explore-replay'): string {
  const steps: unknown[] = [{ open: {} }];
  const dropped: string[] = [];
  for (const s of file.flow) {
    if (s.chat !== 'A') {
      dropped.push(`chat ${s.chat}`);
      continue;
    }
    if (s.fault) dropped.push(`${s.fault} delivery`);
    if ('afterClose' in s.at)
      steps.push({
        'wait-until': { event: 'closed', timeout: `${file.maxSilenceMs ?? 3000}ms`, onTimeout: 'continue' },
      });
    else if ('silenceMs' in s.at) steps.push({ wait: `${s.at.silenceMs}ms` });
    else if (s.at.gapMs > 0) steps.push({ wait: `${s.at.gapMs}ms` });
    if (s.do === 'assign') steps.push({ assign: { experts: [s.api ? 'api' : 'guuru'] } });
    else if (s.do === 'write')
      steps.push({
        message:
          s.kind === 'attachment'
            ? {
                from: 'customer',
                attachment: {
                  url: 'https://cdn.example.com/uploads/receipt-10472.png',
                  mimetype: 'image/png',
                  filename: 'receipt-10472.png',
                },
              }
            : { from: 'customer', text: s.kind === 'helped' ? 'Thanks, that solved it!' : '{{customerMessage}}' },
      });
    else if (s.do === 'rate') steps.push({ rate: { rating: 'good' } });
  }
  const description = `The minimal flow that broke ${file.property} (${file.failure.slice(0, 200)}), from verify --explore.${dropped.length ? ` Left out (no scenario step for them): ${[...new Set(dropped)].join(', ')}.` : ''}`;
  return stringify({ name, description, steps });
}
