/**
 * A compact skill synonym table (English and Brazilian Portuguese, tech and non-tech).
 *
 * Kept in the service on purpose: the rerank scorer must stay a pure, dependency-free function
 * (the occupation taxonomy in @hh/taxonomy serves a different job: specialty lookup in hh-search).
 * Every alias is matched after `fold` + `tokenize` from @hh/text, so case, accents and hyphens
 * ("back-end" = "back end") never matter; write aliases in their natural spelling.
 *
 * `ambiguous` aliases are ordinary words in running text ("go", "r", "excel" is fine but "ml" is
 * also millilitres in a nursing résumé): they count only when they appear in a structured skills
 * list (document `skills`, job `skills`), never when found in free text.
 */
import { tokenize } from '@hh/text';

export interface SkillEntry {
  /** Display name used in reasons. */
  name: string;
  aliases: string[];
  ambiguous?: string[];
}

export const SKILLS: readonly SkillEntry[] = [
  // ---- programming languages and runtimes
  { name: 'JavaScript', aliases: ['javascript', 'js', 'ecmascript', 'es6'] },
  { name: 'TypeScript', aliases: ['typescript', 'ts'] },
  { name: 'Node.js', aliases: ['node.js', 'nodejs', 'node js', 'node'] },
  { name: 'Python', aliases: ['python', 'python3'] },
  { name: 'Java', aliases: ['java', 'jvm'] },
  { name: 'Kotlin', aliases: ['kotlin'] },
  // ".net" tokenizes to "net" (as in "net income"), so only the list form counts.
  { name: 'C#', aliases: ['c#', 'csharp', 'c sharp', 'dotnet', 'asp.net', 'vb.net'], ambiguous: ['.net'] },
  { name: 'C++', aliases: ['c++', 'cpp'] },
  { name: 'C', aliases: ['c language'], ambiguous: ['c'] },
  { name: 'Go', aliases: ['golang'], ambiguous: ['go'] },
  { name: 'Rust', aliases: ['rust', 'rustlang'] },
  { name: 'Ruby', aliases: ['ruby', 'ruby on rails', 'rails', 'ror'] },
  { name: 'PHP', aliases: ['php', 'laravel'] },
  { name: 'Swift', aliases: ['swift', 'swiftui'] },
  { name: 'Scala', aliases: ['scala'] },
  { name: 'R', aliases: ['rstats', 'r language', 'r programming'], ambiguous: ['r'] },
  { name: 'SQL', aliases: ['sql', 't-sql', 'tsql', 'pl/sql', 'plsql'] },
  // ---- web and mobile
  { name: 'React', aliases: ['react', 'react.js', 'reactjs'] },
  { name: 'React Native', aliases: ['react native'] },
  { name: 'Angular', aliases: ['angular', 'angularjs', 'angular.js'] },
  { name: 'Vue.js', aliases: ['vue', 'vue.js', 'vuejs'] },
  { name: 'Next.js', aliases: ['next.js', 'nextjs'] },
  { name: 'HTML/CSS', aliases: ['html', 'css', 'html5', 'css3'] },
  { name: 'GraphQL', aliases: ['graphql'] },
  { name: 'REST APIs', aliases: ['restful', 'rest api', 'rest apis', 'api rest', 'apis rest'], ambiguous: ['rest'] },
  { name: 'Microservices', aliases: ['microservices', 'microservice', 'micro services', 'microsservicos', 'microsservico'] },
  { name: 'Android', aliases: ['android'] },
  { name: 'iOS', aliases: ['ios'] },
  { name: 'Spring', aliases: ['spring', 'spring boot', 'springboot'] },
  { name: 'Django', aliases: ['django'] },
  { name: 'Flask', aliases: ['flask', 'fastapi'] },
  // ---- data stores and messaging
  { name: 'PostgreSQL', aliases: ['postgresql', 'postgres', 'psql', 'pg'] },
  { name: 'MySQL', aliases: ['mysql', 'mariadb'] },
  { name: 'SQL Server', aliases: ['sql server', 'mssql', 'ms sql'] },
  { name: 'Oracle Database', aliases: ['oracle', 'oracle database', 'oracle db'] },
  { name: 'MongoDB', aliases: ['mongodb', 'mongo'] },
  { name: 'Redis', aliases: ['redis'] },
  { name: 'Elasticsearch', aliases: ['elasticsearch', 'elastic search', 'opensearch'] },
  { name: 'Kafka', aliases: ['kafka', 'apache kafka'] },
  { name: 'RabbitMQ', aliases: ['rabbitmq', 'rabbit mq', 'amqp'] },
  // ---- cloud and ops
  { name: 'Docker', aliases: ['docker', 'containers', 'containerization', 'conteineres'] },
  { name: 'Kubernetes', aliases: ['kubernetes', 'k8s', 'eks', 'gke', 'aks', 'openshift'] },
  { name: 'AWS', aliases: ['aws', 'amazon web services', 'ec2', 's3', 'lambda'] },
  { name: 'Google Cloud', aliases: ['gcp', 'google cloud', 'google cloud platform'] },
  { name: 'Azure', aliases: ['azure', 'microsoft azure'] },
  { name: 'Terraform', aliases: ['terraform', 'infrastructure as code', 'iac'] },
  { name: 'Linux', aliases: ['linux', 'unix', 'ubuntu', 'debian', 'red hat', 'rhel'] },
  { name: 'Git', aliases: ['git', 'github', 'gitlab'] },
  { name: 'CI/CD', aliases: ['ci/cd', 'ci cd', 'cicd', 'continuous integration', 'continuous delivery', 'jenkins', 'github actions', 'integracao continua'] },
  { name: 'DevOps', aliases: ['devops', 'sre', 'site reliability'] },
  // ---- data and AI
  { name: 'Machine Learning', aliases: ['machine learning', 'aprendizado de maquina', 'aprendizagem de maquina'], ambiguous: ['ml'] },
  { name: 'Deep Learning', aliases: ['deep learning', 'aprendizado profundo', 'neural networks', 'redes neurais'] },
  { name: 'NLP', aliases: ['nlp', 'natural language processing', 'processamento de linguagem natural', 'pln'] },
  { name: 'Computer Vision', aliases: ['computer vision', 'visao computacional'] },
  { name: 'TensorFlow', aliases: ['tensorflow', 'keras'] },
  { name: 'PyTorch', aliases: ['pytorch', 'torch'] },
  { name: 'scikit-learn', aliases: ['scikit-learn', 'sklearn', 'scikit learn'] },
  { name: 'pandas', aliases: ['pandas', 'numpy'] },
  { name: 'Spark', aliases: ['spark', 'apache spark', 'pyspark'] },
  { name: 'Hadoop', aliases: ['hadoop', 'hive', 'hdfs'] },
  { name: 'Airflow', aliases: ['airflow', 'apache airflow'] },
  { name: 'ETL', aliases: ['etl', 'elt', 'data pipelines', 'data pipeline', 'pipelines de dados'] },
  { name: 'Data Analysis', aliases: ['data analysis', 'data analytics', 'analise de dados', 'analytics'] },
  { name: 'Statistics', aliases: ['statistics', 'statistical analysis', 'estatistica'] },
  { name: 'Power BI', aliases: ['power bi', 'powerbi'] },
  { name: 'Tableau', aliases: ['tableau'] },
  { name: 'Excel', aliases: ['excel', 'ms excel', 'microsoft excel', 'spreadsheets', 'planilhas', 'vba'] },
  // ---- product, design, process
  { name: 'Agile', aliases: ['agile', 'scrum', 'kanban', 'metodologias ageis', 'agil', 'ageis'] },
  { name: 'Project Management', aliases: ['project management', 'gestao de projetos', 'gerenciamento de projetos', 'pmp', 'pmbok'] },
  { name: 'Product Management', aliases: ['product management', 'gestao de produto', 'gestao de produtos', 'product owner'] },
  { name: 'UX Design', aliases: ['ux', 'ui/ux', 'ux/ui', 'user experience', 'experiencia do usuario', 'ux design'] },
  { name: 'Figma', aliases: ['figma'] },
  { name: 'Testing', aliases: ['unit testing', 'automated testing', 'test automation', 'testes automatizados', 'testes unitarios', 'tdd', 'jest', 'selenium', 'cypress'] },
  { name: 'Security', aliases: ['cybersecurity', 'information security', 'seguranca da informacao', 'appsec', 'owasp'] },
  { name: 'SAP', aliases: ['sap', 'sap erp', 'sap fico', 's/4hana'] },
  { name: 'ERP', aliases: ['erp', 'erp systems', 'totvs', 'protheus'] },
  { name: 'Salesforce', aliases: ['salesforce'] },
  { name: 'CRM', aliases: ['crm', 'hubspot', 'pipedrive'] },
  // ---- healthcare
  { name: 'Nursing', aliases: ['nursing', 'enfermagem', 'registered nurse', 'rn', 'nurse', 'enfermeira', 'enfermeiro', 'coren'] },
  { name: 'Patient Care', aliases: ['patient care', 'cuidado ao paciente', 'cuidados ao paciente', 'assistencia ao paciente', 'patient assessment'] },
  { name: 'Medication Administration', aliases: ['medication administration', 'administering medications', 'administracao de medicamentos', 'medicacao'] },
  { name: 'BLS', aliases: ['bls', 'basic life support', 'suporte basico de vida'] },
  { name: 'ACLS', aliases: ['acls', 'advanced cardiac life support', 'suporte avancado de vida'] },
  { name: 'CPR', aliases: ['cpr', 'rcp', 'cardiopulmonary resuscitation', 'ressuscitacao cardiopulmonar'] },
  { name: 'Critical Care', aliases: ['critical care', 'icu', 'intensive care', 'uti', 'terapia intensiva', 'cuidados intensivos'] },
  { name: 'Emergency Care', aliases: ['emergency room', 'emergency department', 'er nursing', 'pronto socorro', 'pronto-socorro', 'urgencia e emergencia', 'triage', 'triagem'] },
  { name: 'Wound Care', aliases: ['wound care', 'curativos', 'tratamento de feridas'] },
  { name: 'Electronic Health Records', aliases: ['electronic health records', 'ehr', 'emr', 'electronic medical records', 'prontuario eletronico', 'epic', 'cerner'] },
  { name: 'Phlebotomy', aliases: ['phlebotomy', 'venipuncture', 'coleta de sangue', 'puncao venosa'] },
  { name: 'Pharmacy', aliases: ['pharmacy', 'farmacia', 'pharmacist', 'farmaceutico', 'farmaceutica'] },
  { name: 'Physiotherapy', aliases: ['physiotherapy', 'physical therapy', 'fisioterapia'] },
  // ---- finance and accounting
  { name: 'Accounting', aliases: ['accounting', 'contabilidade', 'contabil', 'accountant', 'contador', 'contadora', 'cpa', 'crc'] },
  { name: 'Bookkeeping', aliases: ['bookkeeping', 'escrituracao', 'escrituracao contabil'] },
  { name: 'Accounts Payable', aliases: ['accounts payable', 'contas a pagar'] },
  { name: 'Accounts Receivable', aliases: ['accounts receivable', 'contas a receber'] },
  { name: 'General Ledger', aliases: ['general ledger', 'razao contabil', 'razao geral', 'ledger'] },
  { name: 'Reconciliation', aliases: ['reconciliation', 'reconciliations', 'account reconciliation', 'bank reconciliation', 'conciliacao', 'conciliacao bancaria', 'conciliacoes'] },
  { name: 'Financial Reporting', aliases: ['financial reporting', 'financial statements', 'demonstracoes financeiras', 'relatorios financeiros', 'demonstrativos financeiros'] },
  { name: 'Tax', aliases: ['tax', 'taxation', 'tributario', 'tributos', 'impostos', 'tax compliance'], ambiguous: ['fiscal'] },
  { name: 'Auditing', aliases: ['auditing', 'audit', 'auditoria', 'internal audit', 'auditoria interna'] },
  { name: 'IFRS', aliases: ['ifrs', 'cpc'] },
  { name: 'GAAP', aliases: ['gaap', 'us gaap'] },
  { name: 'Payroll', aliases: ['payroll', 'folha de pagamento', 'departamento pessoal'] },
  { name: 'Budgeting', aliases: ['budgeting', 'budget', 'forecasting', 'orcamento', 'planejamento orcamentario', 'fp&a'] },
  { name: 'Financial Analysis', aliases: ['financial analysis', 'analise financeira', 'financial modeling', 'modelagem financeira', 'valuation'] },
  { name: 'QuickBooks', aliases: ['quickbooks'] },
  // ---- business, people, sales
  { name: 'Sales', aliases: ['sales', 'vendas', 'selling', 'b2b sales', 'vendas b2b'], ambiguous: ['comercial'] },
  { name: 'Business Development', aliases: ['business development', 'desenvolvimento de negocios', 'prospeccao', 'prospecting', 'lead generation'] },
  { name: 'Customer Service', aliases: ['customer service', 'customer support', 'atendimento ao cliente', 'customer success', 'sucesso do cliente'], ambiguous: ['atendimento'] },
  { name: 'Marketing', aliases: ['marketing', 'digital marketing', 'marketing digital'] },
  { name: 'SEO', aliases: ['seo', 'search engine optimization', 'google ads'] },
  { name: 'Social Media', aliases: ['social media', 'redes sociais', 'midias sociais'] },
  { name: 'Recruiting', aliases: ['recruiting', 'recruitment', 'talent acquisition', 'recrutamento', 'recrutamento e selecao'] },
  { name: 'Human Resources', aliases: ['human resources', 'recursos humanos', 'rh'], ambiguous: ['hr'] },
  { name: 'Negotiation', aliases: ['negotiation', 'negociacao'] },
  { name: 'Leadership', aliases: ['leadership', 'lideranca', 'team leadership', 'people management', 'gestao de pessoas', 'gestao de equipes'] },
  { name: 'Communication', aliases: ['communication', 'communication skills', 'comunicacao'] },
  { name: 'English', aliases: ['english', 'ingles', 'fluent english', 'ingles fluente', 'ingles avancado'] },
  { name: 'Spanish', aliases: ['spanish', 'espanhol'] },
  { name: 'Logistics', aliases: ['logistics', 'logistica', 'supply chain', 'cadeia de suprimentos', 'warehouse', 'armazem'] },
  { name: 'Procurement', aliases: ['procurement', 'purchasing', 'compras', 'suprimentos', 'sourcing'] },
  // ---- education, legal, other trades
  { name: 'Teaching', ambiguous: ['ensino'], aliases: ['teaching', 'docencia', 'lesson planning', 'planejamento de aulas', 'classroom management'] },
  { name: 'Curriculum Development', aliases: ['curriculum development', 'desenvolvimento curricular', 'curriculo escolar'] },
  { name: 'Legal Research', aliases: ['legal research', 'pesquisa juridica', 'litigation', 'contencioso'], ambiguous: ['contracts', 'contratos'] },
  { name: 'AutoCAD', aliases: ['autocad', 'cad'] },
  { name: 'Construction', aliases: ['construction', 'construcao civil', 'obras'] },
  { name: 'Cooking', aliases: ['cooking', 'culinary', 'culinaria', 'cozinha', 'food preparation'] },
  { name: 'Driving', aliases: ['driving', 'cdl', 'commercial driver', 'cnh'] },
];

/** Folded, tokenised phrase key: "Node.JS" → "node.js", "back-end" → "back end". */
export const phraseKey = (text: string): string => tokenize(text).join(' ');

export interface SkillIndex {
  /** Phrase key → canonical skill id, for phrases that may be matched in free text. */
  text: Map<string, number>;
  /** Phrase key → canonical skill id, including ambiguous aliases (structured lists only). */
  listed: Map<string, number>;
  /** Canonical id → entry. */
  entries: readonly SkillEntry[];
  /** Longest alias in tokens (bounds the n-gram scan). */
  maxTokens: number;
}

function buildIndex(): SkillIndex {
  const text = new Map<string, number>();
  const listed = new Map<string, number>();
  let maxTokens = 1;
  SKILLS.forEach((entry, id) => {
    for (const alias of [entry.name, ...entry.aliases]) {
      const key = phraseKey(alias);
      if (!key) continue;
      // First entry wins, so the table order settles any accidental duplicate.
      if (!text.has(key)) text.set(key, id);
      if (!listed.has(key)) listed.set(key, id);
      maxTokens = Math.max(maxTokens, key.split(' ').length);
    }
    for (const alias of entry.ambiguous ?? []) {
      const key = phraseKey(alias);
      if (key && !listed.has(key)) listed.set(key, id);
    }
  });
  // A name that is itself ambiguous ("Go", "R", "C") must not leak into the free-text map.
  SKILLS.forEach((entry) => {
    for (const alias of entry.ambiguous ?? []) text.delete(phraseKey(alias));
  });
  return { text, listed, entries: SKILLS, maxTokens };
}

export const SKILL_INDEX: SkillIndex = buildIndex();
