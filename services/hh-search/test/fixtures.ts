/** Small hand-written profiles with known right answers. */
export const nurse = (i: number) => ({
  title: 'Registered Nurse',
  headline: `ICU registered nurse ${i}`,
  summary: 'Critical care nurse with BLS and ACLS certification, patient assessment, medication administration and ventilator care in intensive care units.',
  skills: ['Patient care', 'BLS', 'ACLS', 'Medication administration', 'Critical care'],
  location: { country: 'US', region: 'TX', city: 'Houston' },
  yearsExperience: 4 + i,
  seniority: 'mid' as const,
  language: 'en' as const,
});

export const accountant = (i: number) => ({
  title: 'Accountant',
  headline: `Staff accountant ${i}`,
  summary: 'Accountant handling general ledger, month-end close, accounts payable, tax filings and financial statements under GAAP.',
  skills: ['General ledger', 'GAAP', 'Excel', 'Accounts payable', 'Tax'],
  location: { country: 'US', region: 'NY', city: 'New York' },
  yearsExperience: 3 + i,
  seniority: 'mid' as const,
  language: 'en' as const,
});

export const backendPt = {
  title: 'Desenvolvedor Back-end',
  headline: 'Desenvolvedor back-end sênior em Node.js',
  summary: 'Desenvolvimento de APIs REST com Node.js, TypeScript e PostgreSQL, mensageria e testes automatizados.',
  skills: ['Node.js', 'TypeScript', 'PostgreSQL', 'Docker'],
  location: { country: 'BR', region: 'SP', city: 'São Paulo' },
  yearsExperience: 7,
  seniority: 'senior' as const,
  language: 'pt' as const,
};

export const NURSE_JD = `Registered Nurse - Intensive Care Unit
We are hiring a registered nurse to join our ICU team. You will provide critical care to patients,
administer medications, monitor ventilators and work with physicians. Requirements: active RN license,
BLS and ACLS certification, 3+ years of critical care nursing experience.`;
