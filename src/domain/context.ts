import type { Clock } from '../kernel/clock.js';
import type { Random } from '../kernel/random.js';
import type { ContentFixture } from '../store/fixtures.js';
import type { Store } from '../store/store.js';
import type { EventBus } from './events.js';

/** What every domain command needs: the store, the event bus, the clock and the seeded ids. */
export interface DomainContext {
  store: Store;
  events: EventBus;
  clock: Clock;
  random: Random;
  /** Texts of the seed (questions, answers, automatic replies) for generated content. */
  content: ContentFixture;
}
