import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { dictionary } from '@zxcvbn-ts/language-common';
import type { z } from 'zod';
import {
  COMMON_PASSWORD_COUNT,
  ConsentForm,
  ContactForm,
  EmailChangeForm,
  PasswordChangeForm,
  PasswordResetForm,
  RegistrationForm,
  VALIDATION_CODES,
  displayNameSchema,
  emailSchema,
  fieldErrors,
  isCommonPassword,
  passwordCriteria,
  passwordSchema,
} from '../../src/accounts/validation.ts';

/** The codes a schema reports for a value, grouped by field ('' for a single value). */
function errorsOf(schema: z.ZodType, value: unknown): Record<string, string[]> {
  const result = schema.safeParse(value);
  return result.success ? {} : fieldErrors(result.error);
}

function codes(schema: z.ZodType, value: unknown): string[] {
  return errorsOf(schema, value)[''] ?? [];
}

const passwordCodes = (password: unknown) => codes(passwordSchema, password);
const emailCodes = (email: unknown) => codes(emailSchema, email);
const nameCodes = (name: unknown) => codes(displayNameSchema, name);

const registration = {
  displayName: 'Erika Mustermann',
  email: 'erika.mustermann@example.de',
  password: 'ABab1234',
  passwordRepeat: 'ABab1234',
};

describe('e-mail address (REG-03, REG-04)', () => {
  it('REG-04 accepts a syntactically valid address', () => {
    expect(emailCodes('erika.mustermann@example.de')).toEqual([]);
    expect(emailCodes('erika+servicekonto@sub.example-land.de')).toEqual([]);
  });

  it('REG-04 rejects "<" in e-mail', () => {
    expect(emailCodes('<erika@example.de')).toEqual(['validation.email.angle_brackets']);
  });

  it('REG-04 rejects ">" in e-mail', () => {
    expect(emailCodes('erika@example.de>')).toEqual(['validation.email.angle_brackets']);
    expect(emailCodes('Erika <erika@example.de>')).toEqual(['validation.email.angle_brackets']);
  });

  it('REG-04 rejects syntactically invalid addresses', () => {
    for (const invalid of ['erika', 'erika@', '@example.de', 'erika@example', 'erika@@example.de', 'er ika@example.de', 'erika..m@example.de']) {
      expect(emailCodes(invalid)).toEqual(['validation.email.invalid']);
    }
  });

  it('REG-04 rejects umlauts in the address', () => {
    expect(emailCodes('jörg@example.de')).toEqual(['validation.email.invalid']);
  });

  it('REG-04 accepts exactly 254 characters', () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.de`;
    expect(email).toHaveLength(254);
    expect(emailCodes(email)).toEqual([]);
  });

  it('REG-04 rejects 255 characters', () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(59)}.de`;
    expect(email).toHaveLength(255);
    expect(emailCodes(email)).toEqual(['validation.email.too_long']);
  });

  it('REG-04 reports a missing or blank address as required, not as a type error', () => {
    expect(emailCodes(undefined)).toEqual(['validation.email.required']);
    expect(emailCodes('')).toEqual(['validation.email.required']);
    expect(emailCodes('   ')).toEqual(['validation.email.required']);
    expect(emailCodes(['a@example.de', 'b@example.de'])).toEqual(['validation.email.required']);
  });

  it('REG-03 keeps the e-mail address as typed (case kept), only trimmed', () => {
    expect(emailSchema.parse('  Erika.Mustermann@Example.DE ')).toBe('Erika.Mustermann@Example.DE');
  });
});

describe('password length and characters (PW-01)', () => {
  it('PW-01 rejects "Ab1!" as too short', () => {
    expect(passwordCodes('Ab1!')).toEqual(['validation.password.too_short']);
  });

  it('PW-01 rejects 7 characters', () => {
    expect(passwordCodes('ABab123')).toEqual(['validation.password.too_short']);
  });

  it('PW-01 accepts exactly 8 characters', () => {
    expect(passwordCodes('ABab1234')).toEqual([]);
  });

  it('PW-01 counts characters, not bytes: "ÄÖäö§$%?" has 8', () => {
    expect(passwordCodes('ÄÖäö§$%?')).toEqual([]);
  });

  it('PW-01 accepts exactly 40 characters', () => {
    const password = 'ABab1234'.repeat(5);
    expect(password).toHaveLength(40);
    expect(passwordCodes(password)).toEqual([]);
  });

  it('PW-01 rejects 41 characters', () => {
    const password = `${'ABab1234'.repeat(5)}X`;
    expect(password).toHaveLength(41);
    expect(passwordCodes(password)).toEqual(['validation.password.too_long']);
  });

  it('PW-01 rejects a space', () => {
    expect(passwordCodes('ABab 1234')).toEqual(['validation.password.whitespace']);
  });

  it('PW-01 rejects a tab', () => {
    expect(passwordCodes('ABab\t1234')).toEqual(['validation.password.whitespace']);
  });

  it('PW-01 rejects any other white space (line break, no-break space, ideographic space)', () => {
    for (const space of ['\n', '\r', '\u00A0', '\u2003', '\u3000', '\u0085', '\u2028']) {
      expect(passwordCodes(`ABab${space}1234`)).toEqual(['validation.password.whitespace']);
    }
  });

  it('PW-01 rejects leading and trailing white space instead of trimming it', () => {
    expect(passwordCodes(' ABab1234')).toEqual(['validation.password.whitespace']);
    expect(passwordCodes('ABab1234 ')).toEqual(['validation.password.whitespace']);
  });

  it('PW-01 rejects "<" in the password', () => {
    expect(passwordCodes('ABab<1234')).toEqual(['validation.password.angle_brackets']);
  });

  it('PW-01 rejects ">" in the password', () => {
    expect(passwordCodes('ABab1234>')).toEqual(['validation.password.angle_brackets']);
  });

  it('PW-01 accepts other special characters', () => {
    expect(passwordCodes('Ab1§$%&/()=?!+-_.,;:#*~@"\'{}[]|^`\\')).toEqual([]);
  });

  it('PW-01 reports a missing password as required, not as a type error', () => {
    expect(passwordCodes(undefined)).toEqual(['validation.password.required']);
    expect(passwordCodes('')).toEqual(['validation.password.required']);
  });

  it('PW-01 PW-02 reports all failing rules of a password, not just the first', () => {
    expect(passwordCodes('a b<')).toEqual([
      'validation.password.too_short',
      'validation.password.whitespace',
      'validation.password.angle_brackets',
      'validation.password.too_weak',
    ]);
  });

  it('PW-01 keeps the password exactly as typed', () => {
    expect(passwordSchema.parse('ABab1234§')).toBe('ABab1234§');
  });
});

describe('password criteria (PW-02)', () => {
  for (const example of ['ABab1234', 'Aa12Bb34']) {
    it(`PW-02 accepts "${example}" (mixed case and digits)`, () => {
      expect(passwordCodes(example)).toEqual([]);
      expect(passwordCriteria(example)).toBe(2);
    });
  }

  for (const example of ['ABab§$%?', 'A§B$a%b?']) {
    it(`PW-02 accepts "${example}" (mixed case and special characters)`, () => {
      expect(passwordCodes(example)).toEqual([]);
      expect(passwordCriteria(example)).toBe(2);
    });
  }

  for (const example of ['7890?!+-', '7?8!9+0-']) {
    it(`PW-02 accepts "${example}" (digits and special characters)`, () => {
      expect(passwordCodes(example)).toEqual([]);
      expect(passwordCriteria(example)).toBe(2);
    });
  }

  it('PW-02 accepts all three criteria', () => {
    expect(passwordCodes('Ab1!Cd2?')).toEqual([]);
    expect(passwordCriteria('Ab1!Cd2?')).toBe(3);
  });

  it('PW-02 rejects "abcdefgh" (one criterion)', () => {
    expect(passwordCodes('abcdefgh')).toContain('validation.password.too_weak');
    expect(passwordCriteria('abcdefgh')).toBe(0);
  });

  it('PW-02 rejects "ABCDEFGH" (upper case alone is not mixed case)', () => {
    expect(passwordCodes('ABCDEFGH')).toContain('validation.password.too_weak');
  });

  it('PW-02 rejects "12345678" (one criterion)', () => {
    expect(passwordCodes('12345678')).toContain('validation.password.too_weak');
  });

  it('PW-02 rejects "abcd1234" (digits only, no mixed case, no special character)', () => {
    expect(passwordCodes('abcd1234')).toContain('validation.password.too_weak');
    expect(passwordCriteria('abcd1234')).toBe(1);
  });

  it('PW-02 rejects "?!+-§$%&" (special characters only)', () => {
    expect(passwordCodes('?!+-§$%&')).toEqual(['validation.password.too_weak']);
  });

  it('PW-02 rejects "ABCDefgh" (mixed case only)', () => {
    expect(passwordCodes('ABCDefgh')).toEqual(['validation.password.too_weak']);
  });

  it('PW-02 accepts umlaut mixed case "ÄÖÜäöü!!" (umlauts count as letters)', () => {
    expect(passwordCodes('ÄÖÜäöü!!')).toEqual([]);
  });

  it('PW-02 accepts "Ärger123" (Ä as the upper-case letter)', () => {
    expect(passwordCodes('Ärger123')).toEqual([]);
  });

  it('PW-02 accepts "STRAßE12" (ß as the lower-case letter)', () => {
    expect(passwordCodes('STRAßE12')).toEqual([]);
  });

  it('PW-02 rejects "äöüßäöü1" (lower-case umlauts are not special characters)', () => {
    expect(passwordCodes('äöüßäöü1')).toEqual(['validation.password.too_weak']);
  });

  it('PW-02 rejects "Password1" as a common password', () => {
    expect(dictionary['passwords-common'].indexOf('password1')).toBeLessThan(COMMON_PASSWORD_COUNT);
    expect(passwordCodes('Password1')).toEqual(['validation.password.common']);
  });

  it('PW-02 compares common passwords case-insensitively', () => {
    expect(passwordCodes('pAsSwOrD1')).toEqual(['validation.password.common']);
    expect(passwordCodes('P@ssw0rd')).toEqual(['validation.password.common']);
    expect(isCommonPassword('TRUSTNO1')).toBe(true);
  });

  it('PW-02 accepts a password just outside the 10,000 most common ones', () => {
    const rank = dictionary['passwords-common'].indexOf('abc123456');
    expect(rank).toBeGreaterThanOrEqual(COMMON_PASSWORD_COUNT);
    expect(isCommonPassword('abc123456')).toBe(false);
    expect(passwordCodes('Abc123456')).toEqual([]);
  });

  it('PW-02 reports a common password together with the other failing rules', () => {
    expect(passwordCodes('password')).toEqual(['validation.password.too_weak', 'validation.password.common']);
  });
});

describe('name (REG-02)', () => {
  it('REG-02 accepts a name and trims it', () => {
    expect(displayNameSchema.parse('  Erika Mustermann-Gabler ')).toBe('Erika Mustermann-Gabler');
    expect(nameCodes('Dr. Jürgen Weiß')).toEqual([]);
  });

  it('REG-02 requires a name', () => {
    expect(nameCodes(undefined)).toEqual(['validation.name.required']);
    expect(nameCodes('  ')).toEqual(['validation.name.required']);
  });

  it('REG-02 accepts a name of exactly 100 characters', () => {
    expect(nameCodes('ä'.repeat(100))).toEqual([]);
  });

  it('REG-02 rejects a name of 101 characters', () => {
    expect(nameCodes('a'.repeat(101))).toEqual(['validation.name.too_long']);
  });

  it('REG-02 rejects "<" and ">" in the name', () => {
    expect(nameCodes('Erika <b>')).toEqual(['validation.name.invalid']);
  });

  it('REG-02 rejects control characters in the name', () => {
    expect(nameCodes('Erika\nMustermann')).toEqual(['validation.name.invalid']);
    expect(nameCodes('Erika\u0000')).toEqual(['validation.name.invalid']);
    expect(nameCodes('Erika\u202EnnamretsuM')).toEqual(['validation.name.invalid']);
  });
});

describe('registration form (REG-02, REG-06)', () => {
  it('REG-02 accepts name, e-mail address and password and drops other fields', () => {
    expect(RegistrationForm.parse({ ...registration, _csrf: 'token', displayName: ' Erika Mustermann ' })).toEqual(registration);
  });

  it('REG-02 reports every missing field as required', () => {
    expect(errorsOf(RegistrationForm, {})).toEqual({
      displayName: ['validation.name.required'],
      email: ['validation.email.required'],
      password: ['validation.password.required'],
    });
  });

  it('PW-01 rejects a password repetition that does not match', () => {
    expect(errorsOf(RegistrationForm, { ...registration, passwordRepeat: 'ABab12345' })).toEqual({
      passwordRepeat: ['validation.password.mismatch'],
    });
  });

  it('PW-01 reports the mismatch together with the password rules', () => {
    expect(errorsOf(RegistrationForm, { ...registration, password: 'abc', passwordRepeat: '' })).toEqual({
      password: ['validation.password.too_short', 'validation.password.too_weak'],
      passwordRepeat: ['validation.password.mismatch'],
    });
  });

  it('REG-04 reports the e-mail rule in the registration form', () => {
    expect(errorsOf(RegistrationForm, { ...registration, email: 'erika<@example.de' })).toEqual({
      email: ['validation.email.angle_brackets'],
    });
  });

  it('REG-06 accepts the ticked consent', () => {
    expect(ConsentForm.parse({ consent: 'on' })).toEqual({ consent: 'on' });
  });

  it('REG-06 requires the consent to data processing', () => {
    expect(errorsOf(ConsentForm, {})).toEqual({ consent: ['validation.consent.required'] });
    expect(errorsOf(ConsentForm, { consent: '' })).toEqual({ consent: ['validation.consent.required'] });
  });
});

describe('password reset and change forms (RST-02, PW-01, PW-02)', () => {
  it('RST-02 accepts a new password that meets the rules, repeated', () => {
    expect(PasswordResetForm.parse({ password: '7890?!+-', passwordRepeat: '7890?!+-' })).toEqual({ password: '7890?!+-', passwordRepeat: '7890?!+-' });
  });

  it('RST-02 rejects a weak new password and a mismatch', () => {
    expect(errorsOf(PasswordResetForm, { password: 'abcdefgh', passwordRepeat: 'abcdefgi' })).toEqual({
      password: ['validation.password.too_weak'],
      passwordRepeat: ['validation.password.mismatch'],
    });
  });

  it('PW-01 password change accepts any current password content', () => {
    const form = { currentPassword: ' old <pass> word ', password: 'ABab§$%?', passwordRepeat: 'ABab§$%?' };
    expect(PasswordChangeForm.parse(form)).toEqual(form);
  });

  it('PW-01 password change requires the current password and bounds its length', () => {
    expect(errorsOf(PasswordChangeForm, { password: 'ABab§$%?', passwordRepeat: 'ABab§$%?' })).toEqual({
      currentPassword: ['validation.password.required'],
    });
    expect(errorsOf(PasswordChangeForm, { currentPassword: 'x'.repeat(1025), password: 'ABab§$%?', passwordRepeat: 'ABab§$%?' })).toEqual({
      currentPassword: ['validation.password.too_long'],
    });
  });

  it('PW-02 password change rejects a common new password', () => {
    expect(errorsOf(PasswordChangeForm, { currentPassword: 'ABab1234', password: 'Password1', passwordRepeat: 'Password1' })).toEqual({
      password: ['validation.password.common'],
    });
  });
});

describe('e-mail change form (MAIL-01)', () => {
  it('MAIL-01 accepts the new address repeated in other case, keeping it as typed', () => {
    expect(EmailChangeForm.parse({ newEmail: ' Erika@Example.de', newEmailRepeat: 'erika@example.DE ' })).toEqual({
      newEmail: 'Erika@Example.de',
      newEmailRepeat: 'erika@example.DE',
    });
  });

  it('MAIL-01 rejects a repetition that does not match', () => {
    expect(errorsOf(EmailChangeForm, { newEmail: 'erika@example.de', newEmailRepeat: 'erica@example.de' })).toEqual({
      newEmailRepeat: ['validation.email.mismatch'],
    });
  });

  it('REG-04 MAIL-01 applies the e-mail rules to the new address', () => {
    expect(errorsOf(EmailChangeForm, { newEmail: 'erika>@example.de', newEmailRepeat: 'erika>@example.de' })).toEqual({
      newEmail: ['validation.email.angle_brackets'],
    });
    expect(errorsOf(EmailChangeForm, {})).toEqual({ newEmail: ['validation.email.required'] });
  });
});

describe('contact form (CON-01)', () => {
  const contact = { name: 'Erika Mustermann', email: 'erika@example.de', subject: 'Frage zur Registrierung', message: 'Guten Tag,\n\nich habe eine Frage.\n' };

  it('CON-01 accepts name, e-mail, subject and a multi-line message', () => {
    expect(ContactForm.parse(contact)).toEqual({ ...contact, message: 'Guten Tag,\n\nich habe eine Frage.' });
  });

  it('CON-01 requires every field', () => {
    expect(errorsOf(ContactForm, {})).toEqual({
      name: ['validation.name.required'],
      email: ['validation.email.required'],
      subject: ['validation.subject.required'],
      message: ['validation.message.required'],
    });
  });

  it('CON-01 accepts a subject of 150 and a message of 5000 characters', () => {
    expect(errorsOf(ContactForm, { ...contact, subject: 's'.repeat(150), message: 'm'.repeat(5000) })).toEqual({});
  });

  it('CON-01 rejects a subject of 151 and a message of 5001 characters', () => {
    expect(errorsOf(ContactForm, { ...contact, subject: 's'.repeat(151), message: 'm'.repeat(5001) })).toEqual({
      subject: ['validation.subject.too_long'],
      message: ['validation.message.too_long'],
    });
  });

  it('CON-01 rejects line breaks in the subject and control characters in the message', () => {
    expect(errorsOf(ContactForm, { ...contact, subject: 'Frage\r\nBcc: x@example.de', message: 'Hallo\u0000' })).toEqual({
      subject: ['validation.subject.invalid'],
      message: ['validation.message.invalid'],
    });
  });

  it('CON-01 applies the name and e-mail rules', () => {
    expect(errorsOf(ContactForm, { ...contact, name: '<script>', email: 'erika' })).toEqual({
      name: ['validation.name.invalid'],
      email: ['validation.email.invalid'],
    });
  });
});

describe('codes and texts', () => {
  const read = (locale: string) =>
    JSON.parse(readFileSync(new URL(`../../interactions/locales/${locale}/validation.json`, import.meta.url), 'utf8')) as Record<string, string>;

  it('REG-04 PW-01 PW-02 every code has a German and an English text, and nothing else is there', () => {
    const de = read('de');
    const en = read('en');
    expect(Object.keys(de).sort()).toEqual([...VALIDATION_CODES].sort());
    expect(Object.keys(en).sort()).toEqual([...VALIDATION_CODES].sort());
    for (const code of VALIDATION_CODES) {
      expect(de[code]?.trim()).toBeTruthy();
      expect(en[code]?.trim()).toBeTruthy();
    }
  });

  it('REG-04 fieldErrors groups the codes by field, each once', () => {
    const result = RegistrationForm.safeParse({ ...registration, email: '' });
    expect(result.success).toBe(false);
    if (!result.success) expect(fieldErrors(result.error)).toEqual({ email: ['validation.email.required'] });
  });
});
