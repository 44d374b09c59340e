import type { Faker } from '@faker-js/faker';
// Per-locale entry points: importing the package root would load all 70 locales (slow start).
import { faker as fakerDE } from '@faker-js/faker/locale/de';
import { faker as fakerEN } from '@faker-js/faker/locale/en';
import { faker as fakerFR } from '@faker-js/faker/locale/fr';
import { faker as fakerIT } from '@faker-js/faker/locale/it';

type FakerClass = new (options: { locale: Faker['rawDefinitions'] }) => Faker;

/** A fresh instance (never the module's shared singleton) with the locale's definitions. */
function newFaker(template: Faker, seed: number): Faker {
  const FakerCtor = template.constructor as FakerClass;
  const faker = new FakerCtor({ locale: template.rawDefinitions });
  faker.seed(seed);
  return faker;
}

const NANOID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const UID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Locales the seed writes names in, keyed by the chat-window languages. */
export type SeedLanguage = 'en' | 'de' | 'fr' | 'it';

/**
 * The one seeded random source of an emulator instance (never global): ids in the vendor's
 * formats and fake people, all reproducible from the seed.
 */
export class Random {
  readonly faker: Faker;
  private readonly localised: Record<SeedLanguage, Faker>;

  constructor(readonly seed: number) {
    this.faker = newFaker(fakerEN, seed);
    this.localised = {
      en: this.faker,
      de: newFaker(fakerDE, seed + 1),
      fr: newFaker(fakerFR, seed + 2),
      it: newFaker(fakerIT, seed + 3),
    };
  }

  /** A faker that writes names and places for `language`. */
  people(language: SeedLanguage): Faker {
    return this.localised[language];
  }

  int(min: number, max: number): number {
    return this.faker.number.int({ min, max });
  }

  /** A float in [0, 1). */
  fraction(): number {
    return this.faker.number.float({ min: 0, max: 1, fractionDigits: 6 }) % 1;
  }

  pick<T>(items: readonly T[]): T {
    return this.faker.helpers.arrayElement(items as T[]);
  }

  /** 21-character URL-safe id, like chat ids (O2bqy2CsAaS7RBXZrhMOB). */
  chatId(): string {
    return this.fromAlphabet(NANOID_ALPHABET, 21);
  }

  /** UUID v4, like persona, message and submission ids. */
  uuid(): string {
    return this.faker.string.uuid();
  }

  /** 28-character Firebase-style user id (owRNDrixHcNnPMVQUKpv2Lj5TQ82). */
  userId(): string {
    return this.fromAlphabet(UID_ALPHABET, 28);
  }

  /** 24-hex MongoDB ObjectId (Gurusup messages). */
  objectId(): string {
    return this.faker.string.hexadecimal({ length: 24, casing: 'lower', prefix: '' });
  }

  /** An upper-case verification code such as 7KQ2-M9XA. */
  verificationCode(): string {
    const part = () => this.faker.string.alphanumeric({ length: 4, casing: 'upper' });
    return `${part()}-${part()}`;
  }

  private fromAlphabet(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.faker.number.int(alphabet.length - 1)];
    return out;
  }
}
