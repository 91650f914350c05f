#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx medic` needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main/entry.ts');
