import { FLOW_FILE_KIND, type FlowFile } from './flow-file.js';
import { describeStep, type Flow } from './model.js';
import type { PropertyId } from './properties.js';
import type { Recorded } from './runner.js';

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

/** Reads a flow file, saying what is wrong with it (never a stack trace). */
