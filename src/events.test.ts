import { describe, expect, it } from 'vitest';
import { EventBus, publishingLogger, type BusEvent } from './events.ts';
import { createLogger } from './logger.ts';

describe('the event bus behind GET /lab/events', () => {
  it('publishes every logged event with its fields and time, even when the log format is off', () => {
    const lines: string[] = [];
    const bus = new EventBus();
    const logger = publishingLogger(
      createLogger({ format: 'off', now: () => 0, write: (line) => lines.push(line) }),
      bus,
      () => 42,
    );
    const seen: BusEvent[] = [];
    const unsubscribe = bus.subscribe((event) => seen.push(event));
    logger.info('work_started', 'Starting delay', { worker_id: 7, lab_id: 'a-1' });
    unsubscribe();
    logger.info('work_ended', 'Ending delay');
    expect(seen).toEqual([{ event: 'work_started', level: 'info', time: 42, fields: { worker_id: 7, lab_id: 'a-1' } }]);
    expect(lines).toEqual([]);
  });

  it('still logs, and tells the other subscribers, when one subscriber throws', () => {
    const lines: string[] = [];
    const bus = new EventBus();
    const logger = publishingLogger(
      createLogger({ format: 'json', now: () => 0, write: (line) => lines.push(line) }),
      bus,
      () => 0,
    );
    let told = 0;
    bus.subscribe(() => {
      throw new Error('broken stream');
    });
    bus.subscribe(() => told++);
    logger.warn('error', 'x');
    expect(told).toBe(1);
    expect(lines).toHaveLength(1);
  });

  it('is enabled with the log off only while a lab page subscribes, so that requests build no event otherwise', () => {
    const bus = new EventBus();
    const silent = publishingLogger(createLogger({ format: 'off', now: () => 0 }), bus, () => 0);
    expect(silent.enabled).toBe(false);
    const unsubscribe = bus.subscribe(() => {});
    expect(silent.enabled).toBe(true);
    unsubscribe();
    expect(silent.enabled).toBe(false);
    expect(
      publishingLogger(createLogger({ format: 'json', now: () => 0, write: () => {} }), bus, () => 0).enabled,
    ).toBe(true);
  });

  it('drops a subscriber whose deadline has passed, never unsubscribed (workerd drops a gone client\u2019s cleanup): the logger is off again', () => {
    let now = 1_000;
    const bus = new EventBus(() => now);
    const silent = publishingLogger(createLogger({ format: 'off', now: () => now }), bus, () => now);
    const seen: string[] = [];
    bus.subscribe((event) => seen.push(event.event), 2_000);
    silent.info('work_started', 'before the deadline');
    expect([bus.subscribers, silent.enabled]).toEqual([1, true]);
    now = 2_000;
    silent.info('work_ended', 'at the deadline');
    expect([bus.subscribers, silent.enabled, seen]).toEqual([0, false, ['work_started']]);
  });
});
