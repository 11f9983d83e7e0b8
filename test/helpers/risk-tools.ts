/**
 * A partnership's own risk tool definition, as a coordinator loads it: one section of one sign,
 * two bands. Tests change the part they are about.
 */
export const riskToolDefinition = (id: string, version = 1, name = `Uploaded tool ${id}`, description = 'A synthetic tool for tests') => ({
  id,
  version,
  name,
  description,
  sections: [
    {
      id: 's',
      title: 'Signs',
      kind: 'generic',
      windows: [{ id: 'now', label: 'now' }],
      points: [{ windows: ['now'], points: 3 }],
      indicators: [{ id: 'i1', text: 'A sign' }],
    },
  ],
  bands: [
    { key: 'low', label: 'Low', level: 'low', min: 0 },
    { key: 'high', label: 'High', level: 'high', min: 3 },
  ],
  reviewIntervalDays: 30,
});
