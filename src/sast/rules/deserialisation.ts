/** Parsing untrusted data: pickle and its wrappers, marshal, unsafe YAML, entity-expanding XML parsers. */

import { argumentsOf, call, INTEGRITY, kwarg, MISCONFIG } from './shared.ts';
import type { PythonRule } from './types.ts';

export const pickleLoad: PythonRule = {
  id: 'pickle-load',
  title: 'Deserialization with pickle (or cPickle, dill, shelve)',
  message: 'Unpickling runs code chosen by whoever wrote the data: never load untrusted pickles.',
  remedy: 'Use json or another data-only format for untrusted data; sign pickles you must exchange (hmac).',
  help: 'pickle (and cPickle, dill, shelve, which wrap it) can instantiate arbitrary objects and call arbitrary functions while loading. Loading data from an untrusted source is remote code execution.',
  cwe: 'CWE-502',
  owasp: INTEGRITY,
  severity: 'medium',
  confidence: 'high',
  bandit: 'B301',
  language: 'python',
  sg: call(),
  calls: [
    'pickle.loads',
    'pickle.load',
    'pickle.Unpickler',
    'cPickle.loads',
    'cPickle.load',
    'cPickle.Unpickler',
    'dill.loads',
    'dill.load',
    'dill.Unpickler',
  ],
  // shelve is B301 from Bandit 1.7.5 on; `_pickle` is pickle's C twin.
  callsBeyondBandit: [
    'shelve.open',
    'shelve.DbfilenameShelf',
    '_pickle.loads',
    '_pickle.load',
    '_pickle.Unpickler',
    'pandas.read_pickle',
    'jsonpickle.decode',
  ],
};

export const marshalLoad: PythonRule = {
  id: 'marshal-load',
  title: 'Deserialization with marshal',
  message: 'marshal.load(s) is not safe against erroneous or malicious data.',
  remedy: 'Use json or another data-only format for data that crosses a trust boundary.',
  help: 'The marshal format is an internal CPython format; the documentation warns it is not secure against malicious data. Use it only for data you wrote yourself.',
  cwe: 'CWE-502',
  owasp: INTEGRITY,
  severity: 'medium',
  confidence: 'high',
  bandit: 'B302',
  language: 'python',
  sg: call(),
  calls: ['marshal.load', 'marshal.loads'],
};

export const yamlLoad: PythonRule = {
  id: 'yaml-load',
  title: 'yaml.load without a safe Loader',
  message: 'yaml.load without SafeLoader can instantiate arbitrary Python objects.',
  remedy: 'Use yaml.safe_load(...) or pass Loader=yaml.SafeLoader.',
  help: 'PyYAML’s full and unsafe loaders build arbitrary Python objects from tags in the document, which is code execution for untrusted YAML. safe_load only builds plain data.',
  cwe: 'CWE-502',
  owasp: INTEGRITY,
  severity: 'medium',
  confidence: 'high',
  bandit: 'B506',
  language: 'python',
  // Bandit: `yaml` imported exactly, callee `…yaml….load`, Loader not (C)SafeLoader. We also accept
  // a safe loader passed positionally (Bandit flags `yaml.load(f, yaml.SafeLoader)`).
  sg: call({ not: kwarg('Loader', '(^|\\.)C?SafeLoader$') }),
  calls: ['yaml.load'],
  callsBeyondBandit: ['yaml.load_all', 'yaml.unsafe_load', 'yaml.unsafe_load_all'],
  refine: (node, context) => {
    if (!context.imports.has('yaml')) return false;
    const second = argumentsOf(node).positional[1];
    if (second && /(^|\.)C?SafeLoader$/.test(second.text())) return false;
    return true;
  },
};

interface XmlFamily {
  id: string;
  bandit: string;
  calls: string[];
}
const XML_FAMILIES: XmlFamily[] = [
  {
    id: 'xml-celementtree',
    bandit: 'B313',
    calls: ['parse', 'iterparse', 'fromstring', 'XMLParser'].map((f) => `xml.etree.cElementTree.${f}`),
  },
  {
    id: 'xml-elementtree',
    bandit: 'B314',
    calls: ['parse', 'iterparse', 'fromstring', 'XMLParser'].map((f) => `xml.etree.ElementTree.${f}`),
  },
  { id: 'xml-expatreader', bandit: 'B315', calls: ['xml.sax.expatreader.create_parser'] },
  { id: 'xml-expatbuilder', bandit: 'B316', calls: ['xml.dom.expatbuilder.parse', 'xml.dom.expatbuilder.parseString'] },
  { id: 'xml-sax', bandit: 'B317', calls: ['xml.sax.parse', 'xml.sax.parseString', 'xml.sax.make_parser'] },
  { id: 'xml-minidom', bandit: 'B318', calls: ['xml.dom.minidom.parse', 'xml.dom.minidom.parseString'] },
  { id: 'xml-pulldom', bandit: 'B319', calls: ['xml.dom.pulldom.parse', 'xml.dom.pulldom.parseString'] },
  {
    id: 'lxml-etree',
    bandit: 'B320',
    calls: ['parse', 'fromstring', 'RestrictedElement', 'GlobalParserTLS', 'getDefaultParser', 'check_docinfo'].map(
      (f) => `lxml.etree.${f}`,
    ),
  },
];

export const xmlRules: PythonRule[] = XML_FAMILIES.map(
  (family): PythonRule => ({
    id: family.id,
    title: `XML parsed with ${family.calls[0]?.split('.').slice(0, -1).join('.')}`,
    message: 'XML parser that expands entities: untrusted XML can exhaust memory (billion laughs) or read files.',
    remedy: 'Parse untrusted XML with defusedxml (defusedxml.ElementTree etc.), or call defusedxml.defuse_stdlib().',
    help: 'The standard library XML parsers (and lxml with default settings) expand entities. Untrusted XML can then trigger entity-expansion denial of service or, with lxml, external entity (XXE) reads. Use the defusedxml equivalent for any input you do not control.',
    cwe: 'CWE-611',
    owasp: MISCONFIG,
    severity: 'medium',
    confidence: 'high',
    bandit: family.bandit,
    language: 'python',
    sg: call(),
    calls: family.calls,
  }),
);
