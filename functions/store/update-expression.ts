/** The SET part of an UpdateExpression from an attribute map, with every name and value as a placeholder (reserved words need no care). */
export function assignments(set: Record<string, unknown>, prefix = 'f'): { clauses: string[]; names: Record<string, string>; values: Record<string, unknown> } {
  const entries = Object.entries(set).filter(([, value]) => value !== undefined);
  return {
    clauses: entries.map((_, i) => `#${prefix}${i} = :${prefix}${i}`),
    names: Object.fromEntries(entries.map(([name], i) => [`#${prefix}${i}`, name])),
    values: Object.fromEntries(entries.map(([, value], i) => [`:${prefix}${i}`, value])),
  };
}
