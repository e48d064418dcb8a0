/**
 * JUnit XML for CI systems (the de-facto schema Jenkins, GitLab and GitHub read): one
 * `<testsuite>` per suite, one `<testcase>` per case named `<id>: <title>`, `<failure>` for a
 * failed check, `<error>` for a case that could not run to its end, `<skipped>` when the
 * subscribers could not cover it. The clauses are properties; the checks and the ladder go to
 * `<system-out>`.
 */
import { escapeXmlAttribute, escapeXmlText } from '../../user-data';
import { CaseResult, SuiteName, SuiteRun } from '../conformance-types';
import { renderLadderText } from './ladder-svg';
import { xmlSafe } from './escape';

const attr = (s: string) => escapeXmlAttribute(xmlSafe(s));
const text = (s: string) => escapeXmlText(xmlSafe(s));

export function renderJunit(run: SuiteRun): string {
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = run.results;
  lines.push(
    `<testsuites name="ims-test" tests="${all.length}" failures="${count(all, 'failed')}" errors="${count(all, 'error')}" skipped="${count(all, 'skipped')}" time="${seconds(run.durationMs)}" timestamp="${run.startedAt.toISOString()}">`,
  );
  const suites = [...new Set(all.map((r) => r.suite))] as SuiteName[];
  for (const suite of suites) {
    const results = all.filter((r) => r.suite === suite);
    const time = results.reduce((t, r) => t + r.durationMs, 0);
    lines.push(
      `  <testsuite name="ims-test.${suite}" tests="${results.length}" failures="${count(results, 'failed')}" errors="${count(results, 'error')}" skipped="${count(results, 'skipped')}" time="${seconds(time)}" timestamp="${run.startedAt.toISOString()}">`,
      '    <properties>',
      `      <property name="pcscf" value="${attr(`${run.config.pcscf.host}:${run.config.pcscf.port}`)}"/>`,
      `      <property name="transport" value="${attr(run.config.transport)}"/>`,
      `      <property name="domain" value="${attr(run.config.domain)}"/>`,
      '    </properties>',
    );
    for (const r of results) lines.push(...testcase(r));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

function testcase(r: CaseResult): string[] {
  const out = [
    `    <testcase classname="ims-test.${r.suite}" name="${attr(`${r.id}: ${r.title}`)}" time="${seconds(r.durationMs)}">`,
    '      <properties>',
    ...r.clauses.map((c) => `        <property name="clause" value="${attr(c)}"/>`),
    '      </properties>',
  ];
  const message = attr(r.message ?? '');
  if (r.status === 'failed')
    out.push(
      `      <failure message="${message}" type="CheckFailure">${text(r.message ?? '')}</failure>`,
    );
  if (r.status === 'error')
    out.push(`      <error message="${message}" type="Error">${text(r.message ?? '')}</error>`);
  if (r.status === 'skipped') out.push(`      <skipped message="${message}"/>`);
  const checks = r.checks.map(
    (c) => `${c.ok ? 'PASS' : 'FAIL'} ${c.label}${c.detail ? ` — ${c.detail}` : ''}`,
  );
  out.push(
    `      <system-out>${text(`Clauses: ${r.clauses.join(', ')}\n\n${checks.join('\n')}\n\n${renderLadderText(r.ladder)}\n`)}</system-out>`,
    '    </testcase>',
  );
  return out;
}

function count(results: CaseResult[], status: CaseResult['status']): number {
  return results.filter((r) => r.status === status).length;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
