import fc from 'fast-check';

/**
 * The protocol model of `verify --explore`: a flow is a list of steps, each a thing GUURU or a
 * customer does by the documents, with when it happens and how its delivery may go wrong. Chats
 * are labelled A, B, C (their ids come from the run's seed). What the integration does (accept,
 * answer, close) is not in the flow: the runner plays GUURU's side of it (chat-opened,
 * message-created of its own message, chat-closed) as it happens.
 */

export const CHAT_LABELS = ['A', 'B', 'C'] as const;
export type ChatLabel = (typeof CHAT_LABELS)[number];

/** How a step's delivery goes wrong. */
export type Fault =
  /** A second copy (same Idempotency-Key, same body) once the first was answered. */
  | 'duplicate'
  /** Two copies sent at the same moment. */
  | 'concurrent'
  /** The first attempt is given up (no answer awaited) and retried 20 ms later, same key and body. */
  | 'retry'
  /** Delivered after this step's successor of another chat (two chats' events reordered). */
  | 'reordered'
  /**
   * Delivered `delayMs` late, while the next steps' deliveries of other chats go on; the chat's own
   * later deliveries wait behind it (GUURU keeps each chat's events in order).
   */
  | 'delayed';

/**
 * When a step happens: `gapMs` after the previous one; once the chats are quiet and `silenceMs`
 * more has passed; or once the integration has closed the step's chat (`afterClose`: the customer
 * comes back, or rates, after a close, whenever the integration decides to close).
 */
export type Timing = { gapMs: number } | { silenceMs: number } | { afterClose: true };

/** A step's delivery fault; `delayMs` only with `delayed` (how late its deliveries go). */
interface Faulty {
  fault?: Fault;
  delayMs?: number;
}

export type Step =
  /** GUURU assigns the chat (a new chat, or a second chat-assigned: re-assigned to the pool). `api` false: requested to another expert, who accepts it. */
  | ({ do: 'assign'; chat: ChatLabel; api: boolean; at: Timing } & Faulty)
  /** The customer writes (into a closed chat: reopens it first). `helped`: the closing thanks. */
  | ({ do: 'write'; chat: ChatLabel; kind: 'text' | 'attachment' | 'helped'; at: Timing } & Faulty)
  /** The customer rates the chat (only once it is closed). */
  | ({ do: 'rate'; chat: ChatLabel; at: Timing } & Faulty)
  /** The other expert writes into a chat it accepted (not requested to api). */
  | ({ do: 'agent-write'; chat: ChatLabel; at: Timing } & Faulty);

export type Flow = Step[];

/** The customer's texts: one per kind, so a flow in words is the flow that is played. */
export const TEXTS = {
  text: [
    'Do they run small? I usually wear 42.',
    'Is the rain cover included?',
    'And the delivery time to Zurich?',
    'Can I pay by invoice?',
  ],
  helped: 'Thanks, that solved it!',
  agent: 'Hi, I am Marco from the community. Let me check that for you.',
  attachment: {
    url: 'https://cdn.example.com/uploads/receipt-10472.png',
    mimetype: 'image/png',
    filename: 'receipt-10472.png',
  },
} as const;

export interface GeneratorOptions {
  /** The longest customer silence generated (ms). */
  maxSilenceMs: number;
}

/** Silences on a ladder up to the longest: a failure shrinks to the shortest rung that still fails in a few plays. */
export const silenceLadder = (maxMs: number): number[] => [
  ...new Set([0, 100, 250, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000].filter((ms) => ms < maxMs).concat(maxMs)),
];

const timing = (o: GeneratorOptions): fc.Arbitrary<Timing> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ gapMs: fc.constantFrom(0, 50, 150) }) },
    { weight: 3, arbitrary: fc.record({ silenceMs: fc.constantFrom(...silenceLadder(o.maxSilenceMs)) }) },
    { weight: 2, arbitrary: fc.constant({ afterClose: true as const }) },
  );

/** Delays on a ladder (100 ms to 2 s): a failure shrinks to the shortest rung that still fails. */
export const DELAY_LADDER = [100, 250, 500, 1_000, 2_000] as const;

const fault: fc.Arbitrary<Faulty> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.constant<Faulty>({ fault: 'duplicate' }) },
  { weight: 2, arbitrary: fc.constant<Faulty>({ fault: 'concurrent' }) },
  { weight: 1, arbitrary: fc.constant<Faulty>({ fault: 'retry' }) },
  { weight: 1, arbitrary: fc.constant<Faulty>({ fault: 'reordered' }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...DELAY_LADDER).map((delayMs): Faulty => ({ fault: 'delayed', delayMs })),
  },
);

const chat: fc.Arbitrary<ChatLabel> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<ChatLabel>('A') },
  { weight: 2, arbitrary: fc.constant<ChatLabel>('B') },
  { weight: 1, arbitrary: fc.constant<ChatLabel>('C') },
);

const withFault = <T extends object>(base: fc.Arbitrary<T>) =>
  fc.tuple(base, fault).map(([step, f]) => ({ ...step, ...f }));

/** One step: mostly customer messages, some assignments (new chats, re-assignments), ratings and other experts' messages. */
export const stepArbitrary = (o: GeneratorOptions): fc.Arbitrary<Step> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: withFault(
        fc.record({
          do: fc.constant('assign' as const),
          chat,
          api: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
          at: timing(o),
        }),
      ),
    },
    {
      weight: 8,
      arbitrary: withFault(
        fc.record({
          do: fc.constant('write' as const),
          chat,
          kind: fc.oneof(
            { weight: 6, arbitrary: fc.constant('text' as const) },
            { weight: 2, arbitrary: fc.constant('attachment' as const) },
            { weight: 1, arbitrary: fc.constant('helped' as const) },
          ),
          at: timing(o),
        }),
      ),
    },
    { weight: 1, arbitrary: withFault(fc.record({ do: fc.constant('rate' as const), chat, at: timing(o) })) },
    { weight: 1, arbitrary: withFault(fc.record({ do: fc.constant('agent-write' as const), chat, at: timing(o) })) },
  ) as fc.Arbitrary<Step>;

/** A flow: chat A assigned to api first (most flows are about the integration's own chat), then up to `maxSteps` steps. */
export const flowArbitrary = (o: GeneratorOptions & { maxSteps: number }): fc.Arbitrary<Flow> =>
  fc
    .tuple(fc.array(stepArbitrary(o), { minLength: 1, maxLength: o.maxSteps }))
    .map(([steps]) => [{ do: 'assign', chat: 'A', api: true, at: { gapMs: 0 } } as Step, ...steps]);

/**
 * The flow as played: steps that cannot happen by the protocol are dropped (a message into a chat
 * never assigned, a re-assignment that changes who it is requested to, another expert writing into
 * a chat of api), and chats are relabelled A, B, C in order of appearance. What depends on the
 * integration (is the chat closed when the customer rates?) is decided when the step is played.
 */
export function normalise(flow: Flow): Flow {
  const api = new Map<ChatLabel, boolean>();
  const kept: Step[] = [];
  for (const step of flow) {
    const known = api.get(step.chat);
    if (step.do === 'assign') {
      if (known !== undefined && known !== step.api) continue;
      api.set(step.chat, step.api);
    } else if (known === undefined) continue;
    else if (step.do === 'agent-write' && known) continue;
    kept.push(step);
  }
  const names = new Map<ChatLabel, ChatLabel>();
  return kept.map((step) => {
    if (!names.has(step.chat)) names.set(step.chat, CHAT_LABELS[names.size] as ChatLabel);
    return { ...step, chat: names.get(step.chat) as ChatLabel };
  });
}

const FAULT_WORDS: Record<Fault, (step: Step) => string> = {
  duplicate: () => ', delivered twice (the copy after the first was answered)',
  concurrent: () => ', delivered twice at once',
  retry: () => ', its first attempt given up and retried (same Idempotency-Key)',
  reordered: () => ', delivered after the next step of another chat',
  delayed: (step) => `, delivered ${step.delayMs ?? 0} ms late (other chats' deliveries go on meanwhile)`,
};

const timingWords = (at: Timing, chat: ChatLabel): string =>
  'afterClose' in at
    ? `once chat ${chat} is closed, `
    : 'silenceMs' in at
      ? `after ${at.silenceMs} ms of silence, `
      : at.gapMs > 0
        ? `${at.gapMs} ms later, `
        : '';

/** A step in words ("after 300 ms of silence, the customer of chat A writes again"). */
export function describeStep(step: Step): string {
  const what = (() => {
    switch (step.do) {
      case 'assign':
        return `chat ${step.chat} assigned to ${step.api ? 'api' : 'another expert (no api in requestedExperts), who accepts it'}`;
      case 'write':
        return step.kind === 'helped'
          ? `the customer of chat ${step.chat} says it is helped ("${TEXTS.helped}")`
          : `the customer of chat ${step.chat} sends ${step.kind === 'attachment' ? 'an attachment' : 'a message'}`;
      case 'rate':
        return `the customer rates chat ${step.chat} (once it is closed)`;
      case 'agent-write':
        return `the other expert writes into chat ${step.chat}`;
    }
  })();
  return `${timingWords(step.at, step.chat)}${what}${step.fault ? FAULT_WORDS[step.fault](step) : ''}`;
}
