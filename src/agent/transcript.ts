/** The agent run's record: every tool call and result, every approval asked and answered, each verdict. */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { toJson } from '../text/json.ts';

export type TranscriptEntry =
  | { type: 'start'; target: string; model: string; goal: string; at: string }
  | { type: 'gate'; runId: string; verdict: string; digest: string; findings: number; blocking: number }
  | { type: 'tool-call'; step: number; tool: string; input: unknown }
  | { type: 'tool-result'; step: number; tool: string; output?: unknown; error?: string }
  | { type: 'approval'; action: string; target: string; digest: string; answer: string }
  | { type: 'escalation'; reason: string; findings: string[]; accepted: boolean; why?: string }
  | { type: 'model-text'; step: number; text: string }
  | { type: 'verdict'; deterministic: string; final: string; escalations: number };

export class Transcript {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '');
  }

  add(entry: TranscriptEntry): void {
    // the credentials masking of toJson applies: a token in a URL never reaches the file
    appendFileSync(this.file, `${toJson(entry, { indent: 0 })}\n`);
  }
}
