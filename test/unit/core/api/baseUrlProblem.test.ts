import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baseUrlProblem } from '../../../../src/core/api/baseUrlProblem';

describe('baseUrlProblem', () => {
  it('accepts https anywhere, and http on loopback only (127.0.0.0/8, ::1, localhost)', () => {
    for (const url of [
      'https://api.evolink.ai',
      'https://10.0.0.1:8443/v1',
      'HTTPS://API.EVOLINK.AI',
      'http://127.0.0.1:4010',
      'http://127.0.0.2',
      'http://127.255.255.254:1',
      'http://[::1]:8080',
      'http://localhost:3000',
      'http://LOCALHOST',
      'HTTP://127.0.0.1',
      ' https://api.evolink.ai ',
    ]) {
      assert.equal(baseUrlProblem(url), undefined, url);
    }
  });

  it('refuses http on any other host, saying the key would travel unencrypted and what to use', () => {
    assert.equal(
      baseUrlProblem('http://10.0.0.1'),
      'The API base URL http://10.0.0.1 uses http://, which would send your API key unencrypted to 10.0.0.1. ' +
        'Use https://; http:// is allowed only on this machine (localhost, 127.0.0.1, [::1]).',
    );
    for (const url of [
      'http://api.evolink.ai',
      'HTTP://API.EVOLINK.AI',
      'http://localhost.evil.com',
      'http://127.0.0.1.evil.com',
      'http://127.evil.com',
      'http://128.0.0.1',
      'http://[::2]:8080',
      'http://[::ffff:10.0.0.1]',
      'http://0.0.0.0',
      'http://192.168.1.20:8080',
    ]) {
      assert.match(baseUrlProblem(url) ?? '', /uses http:\/\/, which would send your API key unencrypted/, url);
    }
  });

  it('refuses what is not an http(s) address', () => {
    assert.match(baseUrlProblem('api.evolink.ai') ?? '', /is not a full address: use https:\/\//);
    assert.match(baseUrlProblem('') ?? '', /is not a full address/);
    assert.match(baseUrlProblem('ftp://api.evolink.ai') ?? '', /must start with https:\/\//);
    assert.match(baseUrlProblem('ws://127.0.0.1:1') ?? '', /must start with https:\/\//);
  });
});
