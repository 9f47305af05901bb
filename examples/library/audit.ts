// cvebuild as a library: the gate of examples/litellm-compromise, run by one engine.
// In a project that installed cvebuild (npm i cvebuild), from a directory holding that example:
// node audit.ts (Node 22.18+ runs TypeScript; or rename it audit.mjs)
import { createEngine, loadPolicy, openIntelStore, readInventory, render, reportOf } from 'cvebuild';

const project = 'examples/litellm-compromise';

// Created once, an engine serves many audits; the threat data opens at the first audit that needs it.
const engine = createEngine({ intel: () => openIntelStore({ db: `${project}/intel` }) });
try {
  const result = await engine.audit(
    { inventory: readInventory(project), policy: loadPolicy(project), root: project, offline: true },
    {
      signal: AbortSignal.timeout(60_000),
      onEvent: (event) => {
        if (event.type === 'check-end')
          console.error(`${event.id}: ${event.status}${event.reason ? ` (${event.reason})` : ''}`);
      },
    },
  );
  process.stdout.write(await render('table', reportOf(result, { target: project, root: '.' })));
  process.exitCode = result.verdict.outcome === 'fail' ? 1 : 0;
} finally {
  engine.close();
}
