import { describe, expect, it } from 'vitest';
import { MalformedFrameError } from '../frame-processor.js';
import { newProcessor } from './helpers.js';

describe('GenesysFrameProcessor: envelope and control frames', () => {
  it.each([
    ['not JSON', 'WebSocket Heartbeat', /not JSON/],
    ['truncated JSON', '{"topicName":"channel.metadata","eventBody":{', /not JSON/],
    ['a JSON array', '[{"topicName":"x"}]', /not a JSON object/],
    ['JSON null', 'null', /not a JSON object/],
    ['a bare string', '"pong"', /not a JSON object/],
    ['an object of neither family', '{"message":"ping"}', /neither "topicName" nor "result"/],
    ['a non-string topicName', '{"topicName":42,"eventBody":{}}', /envelope is invalid/],
    ['an empty topicName', '{"topicName":"","eventBody":{}}', /envelope is invalid/],
    ['a result that is an object', '{"result":{"code":200}}', /socket reply is invalid/],
  ])('rejects %s with a MalformedFrameError', (_label, raw, message) => {
    const processor = newProcessor();
    expect(() => processor.process(raw)).toThrow(MalformedFrameError);
    expect(() => processor.process(raw)).toThrow(message);
  });

  it('keeps an excerpt of the offending text for logs', () => {
    const raw = `{"topicName": 1, "pad": "${'x'.repeat(500)}"}`;
    try {
      newProcessor().process(raw);
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(MalformedFrameError);
      if (error instanceof MalformedFrameError) {
        expect(error.name).toBe('MalformedFrameError');
        expect(error.excerpt.startsWith('{"topicName": 1')).toBe(true);
        expect(error.excerpt.length).toBeLessThanOrEqual(201);
      }
    }
  });

  it.each([
    ['heartbeat', '{"topicName":"channel.metadata","eventBody":{"message":"WebSocket Heartbeat"}}', { kind: 'heartbeat' }],
    ['pong', '{"topicName":"channel.metadata","eventBody":{"message":"pong"}}', { kind: 'pong' }],
    [
      'socket closing',
      '{"topicName":"v2.system.socket_closing","eventBody":{"channelId":"streaming-0-abc","systemTopicType":"socket_closing","message":"WebSocket will close for maintenance"}}',
      { kind: 'socket_closing', channelId: 'streaming-0-abc', message: 'WebSocket will close for maintenance' },
    ],
    [
      'socket closing with only a reason',
      '{"topicName":"v2.system.socket_closing","eventBody":{"reason":"maintenance"}}',
      { kind: 'socket_closing', message: 'maintenance' },
    ],
    [
      'subscribe ok',
      '{"result":"200","status":"subscribed","correlationId":"sub-1"}',
      { kind: 'subscribe_result', ok: true, result: '200', status: 'subscribed', correlationId: 'sub-1' },
    ],
    [
      'subscribe failure',
      '{"result":"400","status":"failure","message":"Topic limit exceeded"}',
      { kind: 'subscribe_result', ok: false, result: '400', status: 'failure', message: 'Topic limit exceeded' },
    ],
    ['a numeric result', '{"result":200}', { kind: 'subscribe_result', ok: true, result: '200' }],
    ['channel gone', '{"result":"404","message":"channel not found"}', { kind: 'channel_gone', message: 'channel not found' }],
  ])('turns %s into a control event and never a fact', (_label, raw, event) => {
    const result = newProcessor().process(raw);
    expect(result.control).toEqual([event]);
    expect(result.facts).toEqual([]);
    expect(result.conversationId).toBeUndefined();
  });

  it('ignores other channel.metadata messages and unknown topics without error', () => {
    const processor = newProcessor();
    for (const raw of [
      '{"topicName":"channel.metadata","eventBody":{"message":"something new"}}',
      '{"topicName":"channel.metadata"}',
      '{"topicName":"v2.users.u1.presence","version":"2","eventBody":{"presenceDefinition":{"systemPresence":"Available"}}}',
      '{"topicName":"v2.users.u1.conversations.videos","version":"2","eventBody":{"id":"c1","participants":[]}}',
      '{"topicName":"v2.detail.events.conversation.c1.user.start","version":"2","eventBody":{"eventTime":1}}',
      '{"topicName":"v2.conversations.chats.c1.messages","version":"2","eventBody":{"body":"hi"}}',
    ]) {
      expect(processor.process(raw)).toEqual({ facts: [], control: [], digitalMessages: [], warnings: [] });
    }
  });

  it('warns, without throwing, when a conversation topic carries something that is not a conversation', () => {
    const result = newProcessor().process(
      '{"topicName":"v2.routing.queues.q1.conversations","version":"2","eventBody":{"participants":[]}}',
    );
    expect(result.facts).toEqual([]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/v2\.routing\.queues\.q1\.conversations: payload ignored/);
  });
});
