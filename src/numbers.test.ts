import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatNumber, formatQuantity } from './numbers.ts';

test('numbers read as people write them', () => {
  assert.equal(formatNumber('400.00'), '400');
  assert.equal(formatNumber(8500), '8,500');
  assert.equal(formatNumber('72.50'), '72.5');
  assert.equal(formatNumber(null), '');
  assert.equal(formatQuantity('400.00', 'staff'), '400 staff');
  assert.equal(formatQuantity('72', '%'), '72%');
  assert.equal(formatQuantity('8500.00', '£'), '£8,500');
  assert.equal(formatQuantity(8500.5, 'GBP'), '£8,500.50');
  assert.equal(formatQuantity('3', ''), '3');
  assert.equal(formatQuantity(null, 'staff'), '');
});
