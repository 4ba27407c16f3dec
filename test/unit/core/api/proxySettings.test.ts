import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bypassesProxy } from '../../../../src/core/api/proxySettings';

describe('bypassesProxy (http.noProxy)', () => {
  it('matches a host, the names below a domain entry, and nothing else', () => {
    assert.equal(bypassesProxy('api.evolink.ai', ['api.evolink.ai']), true);
    assert.equal(bypassesProxy('api.evolink.ai', ['evolink.ai']), true);
    assert.equal(bypassesProxy('api.evolink.ai', ['.evolink.ai']), true);
    assert.equal(bypassesProxy('api.evolink.ai', ['*.evolink.ai']), true);
    assert.equal(bypassesProxy('API.Evolink.AI', [' evolink.ai ']), true, 'case and spaces do not matter');
    assert.equal(bypassesProxy('files-api.evolink.ai', ['api.evolink.ai']), false);
    assert.equal(bypassesProxy('notevolink.ai', ['evolink.ai']), false);
    assert.equal(bypassesProxy('10.0.0.1', ['10.0.0.1:8080']), true, 'a port in the entry is ignored');
    assert.equal(bypassesProxy('[::1]', ['::1']), true);
    assert.equal(bypassesProxy('anything.example', ['*']), true);
    assert.equal(bypassesProxy('api.evolink.ai', []), false);
    assert.equal(bypassesProxy('api.evolink.ai', undefined), false);
    assert.equal(bypassesProxy('api.evolink.ai', ['']), false);
  });
});
