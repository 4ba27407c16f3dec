import assert from 'node:assert/strict';
import { isIP as nodeIsIP } from 'node:net';
import { describe, it } from 'node:test';
import { isIP } from '../../../../src/webview/shims/nodeNet';

describe('the pages\' stand-in for node:net isIP', () => {
  it('answers as node:net does', () => {
    const inputs = [
      '127.0.0.1', '10.0.0.1', '255.255.255.255', '256.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4.5', '',
      '::', '::1', 'fe80::1', 'fe80::1%eth0', 'fc00::', '::ffff:192.168.0.1', '2001:db8::8a2e:370:7334',
      '2001:0db8:0000:0000:0000:ff00:0042:8329', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1::2::3', 'gggg::1', ':::1',
      'example.com', 'localhost', 'hooks.example.com', '[::1]', '1:2:3:4:5:6:1.2.3.4', '::1.2.3.4',
    ];
    for (const input of inputs) assert.equal(isIP(input), nodeIsIP(input), input);
  });
});
