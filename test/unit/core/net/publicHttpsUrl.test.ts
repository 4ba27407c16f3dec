import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callbackUrlProblem, ipv6Value, isPrivateAddress } from '../../../../src/core/net/publicHttpsUrl';

describe('callbackUrlProblem', () => {
  it('accepts a public https address, by name or by number', () => {
    for (const url of ['https://hooks.example.com/kling', 'https://8.8.8.8/hook', 'https://[2606:4700:4700::1111]/hook', 'https://[::ffff:8.8.8.8]/']) {
      assert.equal(callbackUrlProblem(url), undefined, url);
    }
  });

  it('refuses IPv4-mapped IPv6 loopback, however it is written', () => {
    for (const url of ['https://[::ffff:127.0.0.1]/', 'https://[::ffff:7f00:1]/', 'https://[0:0:0:0:0:ffff:127.0.0.1]/', 'https://[::FFFF:10.1.2.3]/']) {
      const problem = callbackUrlProblem(url);
      assert.ok(problem, url);
      assert.match(problem!, /IPv4-mapped (127\.0\.0\.1|10\.1\.2\.3)/, url);
    }
  });

  it('refuses other spellings of local addresses: numbers, hex, a trailing dot, localhost', () => {
    for (const url of ['https://2130706433/', 'https://0x7f.1/', 'https://127.1/', 'https://127.0.0.1./', 'https://localhost./', 'https://LOCALHOST/', 'https://printer.local/', 'https://app.localhost/']) {
      assert.ok(callbackUrlProblem(url), url);
    }
  });

  it('refuses http and what is not a URL', () => {
    assert.match(callbackUrlProblem('http://hooks.example.com/')!, /must use https/);
    assert.match(callbackUrlProblem('hooks.example.com')!, /full https/);
    assert.match(callbackUrlProblem(`https://example.com/${'a'.repeat(2048)}`)!, /the limit is 2048/);
  });
});

describe('isPrivateAddress: every range that is not public, at its edges', () => {
  const ipv4: Array<[string, string, string]> = [
    // [first inside, last inside, just outside]
    ['0.0.0.0', '0.255.255.255', '1.0.0.0'],
    ['10.0.0.0', '10.255.255.255', '11.0.0.0'],
    ['100.64.0.0', '100.127.255.255', '100.128.0.0'],
    ['127.0.0.0', '127.255.255.255', '128.0.0.0'],
    ['169.254.0.0', '169.254.255.255', '169.255.0.0'],
    ['172.16.0.0', '172.31.255.255', '172.32.0.0'],
    ['192.0.0.0', '192.0.0.255', '192.0.1.0'],
    ['192.0.2.0', '192.0.2.255', '192.0.3.0'],
    ['192.88.99.0', '192.88.99.255', '192.88.100.0'],
    ['192.168.0.0', '192.168.255.255', '192.169.0.0'],
    ['198.18.0.0', '198.19.255.255', '198.20.0.0'],
    ['198.51.100.0', '198.51.100.255', '198.51.101.0'],
    ['203.0.113.0', '203.0.113.255', '203.0.114.0'],
    ['224.0.0.0', '239.255.255.255', '223.255.255.255'],
    ['240.0.0.0', '255.255.255.255', '223.255.255.254'],
  ];
  for (const [first, last, outside] of ipv4) {
    it(`IPv4 ${first}–${last}`, () => {
      assert.equal(isPrivateAddress(first), true, first);
      assert.equal(isPrivateAddress(last), true, last);
      assert.equal(isPrivateAddress(outside), false, outside);
      // The same address mapped into IPv6, as a URL parser writes it, is judged the same.
      assert.equal(isPrivateAddress(`::ffff:${first}`), true, `::ffff:${first}`);
      assert.equal(isPrivateAddress(`::ffff:${outside}`), false, `::ffff:${outside}`);
    });
  }
  it('the boundaries of 172.16/12 and 100.64/10 from below', () => {
    assert.equal(isPrivateAddress('172.15.255.255'), false);
    assert.equal(isPrivateAddress('100.63.255.255'), false);
    assert.equal(isPrivateAddress('169.253.255.255'), false);
  });

  const ipv6: Array<[string, string, string]> = [
    ['::', '::ffff:ffff', '::1:0:0'],
    ['64:ff9b:1::', '64:ff9b:1:ffff:ffff:ffff:ffff:ffff', '64:ff9b:2::'],
    ['100::', '100::ffff:ffff:ffff:ffff', '100:0:0:1::'],
    ['2001:2::', '2001:2:0:ffff:ffff:ffff:ffff:ffff', '2001:2:1::'],
    ['2001:db8::', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db9::'],
    ['3fff::', '3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff', '3fff:1000::'],
    ['fc00::', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe00::'],
    ['fe80::', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['fec0::', 'feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fbff::'],
    ['ff00::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe00::1'],
  ];
  for (const [first, last, outside] of ipv6) {
    it(`IPv6 ${first}…${last}`, () => {
      assert.equal(isPrivateAddress(first), true, first);
      assert.equal(isPrivateAddress(last), true, last);
      assert.equal(isPrivateAddress(outside), false, outside);
    });
  }
  it('loopback and unspecified IPv6', () => {
    assert.equal(isPrivateAddress('::1'), true);
    assert.equal(isPrivateAddress('0:0:0:0:0:0:0:1'), true);
    assert.equal(isPrivateAddress('::'), true);
  });

  it('IPv6 addresses that carry an IPv4 address are judged by it: mapped, translated, NAT64, 6to4', () => {
    assert.equal(isPrivateAddress('::ffff:7f00:1'), true);
    assert.equal(isPrivateAddress('::ffff:0:7f00:1'), true);
    assert.equal(isPrivateAddress('64:ff9b::10.0.0.1'), true);
    assert.equal(isPrivateAddress('64:ff9b::808:808'), false);
    assert.equal(isPrivateAddress('2002:c0a8:101::1'), true, '6to4 of 192.168.1.1');
    assert.equal(isPrivateAddress('2002:808:808::1'), false, '6to4 of 8.8.8.8');
  });

  it('public addresses and names are not private', () => {
    for (const host of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001::200e', 'example.com', 'localhost']) {
      assert.equal(isPrivateAddress(host), false, host);
    }
  });
});

describe('ipv6Value', () => {
  it('reads every spelling of an address to the same number', () => {
    const loopback = 1n;
    assert.equal(ipv6Value('::1'), loopback);
    assert.equal(ipv6Value('0:0:0:0:0:0:0:1'), loopback);
    assert.equal(ipv6Value('::0.0.0.1'), loopback);
    assert.equal(ipv6Value('fe80::1%eth0'), (0xfe80n << 112n) | 1n);
    assert.equal(ipv6Value('1:2:3:4:5:6:7'), undefined);
    assert.equal(ipv6Value('1::2::3'), undefined);
  });
});
