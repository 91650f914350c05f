import Table from 'cli-table3';

export function table(head: string[], rows: Array<Array<string | number | null>>): string {
  const out = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) out.push(row.map((cell) => (cell === null ? '-' : String(cell))));
  return out.toString();
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
