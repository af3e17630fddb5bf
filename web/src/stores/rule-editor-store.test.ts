import { describe, expect, it } from 'vitest';
import { checkExpression, type ListRef, type Rule } from '@vigil/core';
import { ApiError } from '../api/api-error.js';
import { fakeClock } from '../test/fakes.js';
import {
  CHECK_DEBOUNCE_MS,
  createRuleEditor,
  type ExpressionChecker,
  type RuleEditorOptions,
  verdictMessage,
} from './rule-editor-store.js';

const lists: readonly ListRef[] = [{ name: 'blocked_customers', kind: 'customer_id' }];

/** A checker for the test: an expression is good when it mentions tx.amount. */
const check: ExpressionChecker = (e) =>
  e.includes('tx.amount')
    ? { ok: true }
    : { ok: false, message: 'undeclared reference', position: 0 };

function setup(over: Partial<RuleEditorOptions> = {}) {
  const clock = fakeClock();
  const sent: Rule[] = [];
  let refuse: ApiError | null = null;
  const answer = (r: Rule) => {
    sent.push(r);
    return refuse ? Promise.reject(refuse) : Promise.resolve({ version: 7, rule: r });
  };
  const editor = createRuleEditor({
    client: { createRule: answer, updateRule: answer },
    lists: () => lists,
    check,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    ...over,
  });
  const fill = () => {
    editor.set('id', 'big_amount');
    editor.set('name', 'Big amount');
    editor.set('expression', 'tx.amount > 500.0');
  };
  return {
    editor,
    clock,
    sent,
    fill,
    refuseWith(e: ApiError) {
      refuse = e;
    },
  };
}

describe('a refused expression in words', () => {
  it('says "at position N", 0-based, as the API does (docs/api.md: `tx.amount > ` → 12)', () => {
    const v = checkExpression('tx.amount > ', []);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.position).toBe(12);
    expect(verdictMessage(v)).toBe(`${v.message} at position 12`);
    expect(verdictMessage({ message: 'no place', position: null })).toBe('no place');
  });
});

describe('rule editor', () => {
  it('checks the expression once typing pauses, not at each keystroke', () => {
    let calls = 0;
    const { editor, clock } = setup({
      check: (e, l) => {
        calls++;
        return check(e, l);
      },
    });
    editor.set('expression', 'tx.am');
    clock.advance(CHECK_DEBOUNCE_MS - 1);
    editor.set('expression', 'txx > 1');
    clock.advance(CHECK_DEBOUNCE_MS - 1);
    expect(calls).toBe(0);
    expect(editor.verdict()).toBeNull();
    clock.advance(1);
    expect(calls).toBe(1);
    expect(editor.verdict()).toEqual({ ok: false, message: 'undeclared reference', position: 0 });
    editor.set('expression', 'tx.amount > 1.0');
    expect(editor.verdict()).toBeNull(); // stale verdicts go at once
    clock.advance(CHECK_DEBOUNCE_MS);
    expect(editor.verdict()).toEqual({ ok: true });
  });

  it('sends nothing while the expression or core’s schema refuses the rule', async () => {
    const { editor, sent, fill } = setup();
    editor.set('id', 'Not An Id');
    editor.set('expression', 'score > 0.5');
    await expect(editor.save()).resolves.toBeNull();
    expect(sent).toEqual([]);
    expect(Object.keys(editor.fieldErrors()).sort()).toEqual(['/expression', '/id', '/name']);
    expect(editor.fieldErrors()['/expression']).toBe('undeclared reference at position 0');
    fill();
    expect(editor.fieldErrors()['/id']).toBeUndefined(); // edited fields clear their error
    await expect(editor.save()).resolves.toBe(7);
    expect(sent).toEqual([
      {
        id: 'big_amount',
        name: 'Big amount',
        description: '',
        expression: 'tx.amount > 500.0',
        action: 'review',
        mode: 'shadow',
      },
    ]);
  });

  it('shows the server’s message at the field it names (no checker: the server checks)', async () => {
    const { editor, fill, refuseWith } = setup({ check: undefined });
    fill();
    expect(editor.verdict()).toBeNull();
    refuseWith(
      new ApiError(
        'http',
        400,
        {
          type: 'about:blank',
          title: 'Bad Request',
          status: 400,
          errors: [{ path: '/expression', message: 'at 3: found no matching overload' }],
        },
        'Bad Request',
      ),
    );
    await expect(editor.save()).resolves.toBeNull();
    expect(editor.fieldErrors()).toEqual({ '/expression': 'at 3: found no matching overload' });
    expect(editor.error()).toBeNull();
  });

  it('says why a save failed when no field is to blame', async () => {
    const { editor, fill, refuseWith } = setup();
    fill();
    refuseWith(new ApiError('http', 409, null, 'A rule big_amount exists already'));
    await expect(editor.save()).resolves.toBeNull();
    expect(editor.error()).toBe('A rule big_amount exists already');
    expect(editor.saving()).toBe(false);
  });

  it('publishes in the mode of the button pressed, whatever the draft said', async () => {
    const { editor, sent, fill } = setup();
    fill();
    expect(editor.draft().mode).toBe('shadow');
    await expect(editor.save('active')).resolves.toBe(7);
    await expect(editor.save('shadow')).resolves.toBe(7);
    await expect(editor.save()).resolves.toBe(7);
    expect(sent.map((r) => r.mode)).toEqual(['active', 'shadow', 'shadow']);
  });

  it('edits an existing rule with its verdict shown at once', () => {
    const { editor } = setup({
      initial: {
        id: 'x',
        name: 'x',
        description: '',
        expression: 'nope',
        action: 'block',
        mode: 'active',
      },
    });
    expect(editor.isNew).toBe(false);
    expect(editor.verdict()).toMatchObject({ ok: false });
  });
});
