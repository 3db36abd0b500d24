// The one base error: a stable code, whether a retry may help, and the cause when there is one.
import { describe, expect, it } from 'vitest';
import { BridgeError, errorCode, errorFields } from '../../src/errors.js';

describe('BridgeError', () => {
  it('carries its code; not retryable unless said; a cause only when given', () => {
    const plain = new BridgeError('STORE_LOCKED', 'in use');
    expect(plain).toMatchObject({ name: 'BridgeError', code: 'STORE_LOCKED', message: 'in use', retryable: false });
    expect(plain).toBeInstanceOf(Error);
    expect('cause' in plain).toBe(false);
    const cause = new Error('busy');
    const retryable = new BridgeError('GENESYS_UNAVAILABLE', 'HTTP 503', { retryable: true, cause });
    expect(retryable).toMatchObject({ retryable: true, cause });
    expect(new BridgeError('X', 'y', { retryable: false }).retryable).toBe(false);
  });

  it('log fields: the error, and its code only when it has one', () => {
    const coded = new BridgeError('CONFIG_INVALID', 'bad');
    expect(errorFields(coded)).toEqual({ err: coded, code: 'CONFIG_INVALID' });
    const plain = new Error('plain');
    expect(errorFields(plain)).toStrictEqual({ err: plain });
    expect(errorCode('not an error')).toBeUndefined();
  });
});
