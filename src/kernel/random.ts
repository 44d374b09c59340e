import { createRequire } from 'node:module';
import type { Faker } from '@faker-js/faker';

type FakerClass = new (options: { locale: Faker['rawDefinitions'] }) => Faker;

/**
 * Faker's locales are loaded when a faker is first made, with require (Node ≥ 20.19 loads ES modules
 * so): most emulators never make one (the seed comes from its cache; the APIs need none), and the
 * four locales were a tenth of the CLI's code and a tenth of its start. Per-locale entry points:
 * the package root would load all 70 locales.
 */
const requireLocale = createRequire(import.meta.url);
const LOCALES: Record<SeedLanguage, string> = {
  en: '@faker-js/faker/locale/en',
  de: '@faker-js/faker/locale/de',
  fr: '@faker-js/faker/locale/fr',
  it: '@faker-js/faker/locale/it',
};

/** A fresh instance (never the module's shared singleton) with the locale's definitions. */
function newFaker(language: SeedLanguage, seed: number): Faker {
  const template = (requireLocale(LOCALES[language]) as { faker: Faker }).faker;
  const FakerCtor = template.constructor as FakerClass;
  const faker = new FakerCtor({ locale: template.rawDefinitions });
  faker.seed(seed);
  return faker;
}

const NANOID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const UID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const UPPER_ALNUM = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Locales the seed writes names in, keyed by the chat-window languages. */
export type SeedLanguage = 'en' | 'de' | 'fr' | 'it';

/** splitmix32: spreads a small integer seed over the 32-bit state space. */
function splitmix32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x9e3779b9) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 16), 0x21f0aaad);
    t = Math.imul(t ^ (t >>> 15), 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

/** The whole state of a Random's number stream (sfc32's four 32-bit words): what `--data` saves. */
export type RandomState = readonly [number, number, number, number];

/** True for four unsigned 32-bit integers (a state read back from a file). */
export const isRandomState = (value: unknown): value is RandomState =>
  Array.isArray(value) && value.length === 4 && value.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff);

/**
 * The one seeded random source of an emulator instance (never global): ids in the vendor's
 * formats and fake people, all reproducible from the seed. Numbers and ids come from a small
 * fast generator (sfc32); faker is used only for what it is good at, names and addresses.
 */
export class Random {
  private englishFaker: Faker | undefined;
  private localised: Record<SeedLanguage, Faker> | undefined;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    const mix = splitmix32(seed);
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
  }

  /** Where the number stream is (ids, keys, jitter; the fakers keep their own state and are not included). */
  state(): RandomState {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  /** Continues the number stream from a saved state: the next draws are the ones that would have followed. */
  restore(state: RandomState): this {
    if (!isRandomState(state)) throw new RangeError('a Random state is four unsigned 32-bit integers');
    [this.a, this.b, this.c, this.d] = state;
    return this;
  }

  /**
   * Moves the stream to a new one derived from its state and `salt`. After a crash, draws made
   * after the last save are unknown: a fork makes sure the restarted process does not make them again.
   */
  fork(salt: number): this {
    const mix = splitmix32(
      (this.a ^ Math.imul(this.b, 31) ^ Math.imul(this.c, 961) ^ this.d ^ Math.imul(salt, 0x85ebca6b)) >>> 0,
    );
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    return this;
  }

  /** Made on first use: most instances (ids, jitter, keys) never need a faker. */
  get faker(): Faker {
    this.englishFaker ??= newFaker('en', this.seed);
    return this.englishFaker;
  }

  /** A faker that writes names and places for `language` (made on first use: most instances never need one). */
  people(language: SeedLanguage): Faker {
    this.localised ??= {
      en: this.faker,
      de: newFaker('de', this.seed + 1),
      fr: newFaker('fr', this.seed + 2),
      it: newFaker('it', this.seed + 3),
    };
    return this.localised[language];
  }

  /** A float in [0, 1) (sfc32). */
  fraction(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.fraction() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() from an empty list');
    return items[Math.floor(this.fraction() * items.length)] as T;
  }

  /** A value drawn with probability proportional to its weight. */
  weighted<T>(choices: readonly { value: T; weight: number }[]): T {
    const total = choices.reduce((sum, c) => sum + c.weight, 0);
    let r = this.fraction() * total;
    for (const choice of choices) {
      r -= choice.weight;
      if (r < 0) return choice.value;
    }
    const last = choices[choices.length - 1];
    if (!last) throw new RangeError('weighted() without choices');
    return last.value;
  }

  /** A new array with the items in random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.fraction() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  /** Between min and max distinct items. */
  sample<T>(items: readonly T[], min: number, max: number): T[] {
    return this.shuffle(items).slice(0, this.int(min, Math.min(max, items.length)));
  }

  /** 21-character URL-safe id, like chat ids (O2bqy2CsAaS7RBXZrhMOB). */
  chatId(): string {
    return this.fromAlphabet(NANOID_ALPHABET, 21);
  }

  /** UUID v4, like persona, message and submission ids. */
  uuid(): string {
    let out = '';
    for (let i = 0; i < 32; i++) {
      if (i === 8 || i === 12 || i === 16 || i === 20) out += '-';
      // Version nibble 4 and variant bits 10xx, as in RFC 4122 v4.
      out += i === 12 ? '4' : i === 16 ? HEX[8 + ((this.fraction() * 4) | 0)] : HEX[(this.fraction() * 16) | 0];
    }
    return out;
  }

  /** 28-character Firebase-style user id (owRNDrixHcNnPMVQUKpv2Lj5TQ82). */
  userId(): string {
    return this.fromAlphabet(UID_ALPHABET, 28);
  }

  /** 24-hex MongoDB ObjectId (Gurusup messages). */
  objectId(): string {
    return this.fromAlphabet(HEX, 24);
  }

  /** A MongoDB ObjectId as the server makes them: 4 bytes of creation time (s), then 8 random bytes. */
  objectIdAt(ms: number): string {
    return (
      Math.floor(ms / 1000)
        .toString(16)
        .padStart(8, '0')
        .slice(-8) + this.fromAlphabet(HEX, 16)
    );
  }

  /** An upper-case verification code such as 7KQ2-M9XA. */
  verificationCode(): string {
    return `${this.fromAlphabet(UPPER_ALNUM, 4)}-${this.fromAlphabet(UPPER_ALNUM, 4)}`;
  }

  /** A lower-case alphanumeric string (tenant ids). */
  slug(length: number): string {
    return this.fromAlphabet(LOWER_ALNUM, length);
  }

  /** A mixed-case alphanumeric string (tokens). */
  token(length: number): string {
    return this.fromAlphabet(UID_ALPHABET, length);
  }

  /** A public IPv4 address for fake users. */
  ipv4(): string {
    return `${this.int(11, 223)}.${this.int(0, 255)}.${this.int(0, 255)}.${this.int(1, 254)}`;
  }

  private fromAlphabet(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.fraction() * alphabet.length)];
    return out;
  }
}
