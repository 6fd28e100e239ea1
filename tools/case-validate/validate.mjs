#!/usr/bin/env node
// SHACL validation of CASE/UCO JSON-LD files against CASE 1.4.0 / UCO 1.4.0, reproducing what
// `case_validate --allow-infos` (CASE-Utilities-Python 0.17.0) does. The procedure, and why each step is
// needed, is ../shared/case-uco/VALIDATING.md; the step numbers below refer to it.
//
//   node validate.mjs --ontology DIR [--show-infos] [--unsafe] FILE.jsonld...
//
// DIR is the case-uco folder (holding monolithic/case-1.4.0.ttl). Output: one line per Violation/Warning
// (Info results are counted, not failures), then a summary per file. Exit codes: 0 every file conforms,
// 1 at least one file has violations/warnings or undefined ontology terms, 2 usage or load error.
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'readable-stream'
import rdf from 'rdf-ext'
import N3 from 'n3'
import jsonld from 'jsonld'
import Validator from 'shacl-engine/Validator.js'
import { targetResolvers } from 'shacl-engine/sparql.js'
import { QueryEngine } from '@comunica/query-sparql-rdfjs-lite'

const SH = 'http://www.w3.org/ns/shacl#'
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
const OWL = 'http://www.w3.org/2002/07/owl#'
const RDFS = 'http://www.w3.org/2000/01/rdf-schema#'
const UCO_OWL = 'https://ontology.unifiedcyberontology.org/owl/'
const ONTOLOGY_PREFIXES = ['https://ontology.unifiedcyberontology.org/', 'https://ontology.caseontology.org/']

// Step 2: the ontology self-review shapes case_validate leaves off unless --review-tbox.
const SELF_REVIEW_SHAPES = [
  'DataOneOf-shape', 'DatatypeProperty-shacl-constraints-shape', 'Disjointedness-AP-DP-shape',
  'Disjointedness-AP-OP-shape', 'Disjointedness-C-DT-shape', 'Disjointedness-DP-OP-shape',
  'ObjectProperty-shacl-constraints-shape', 'Sequence-shape', 'disjointUnionOf-subjects-shape',
  'hasKey-subjects-shape', 'intersectionOf-subjects-shape', 'onProperties-subjects-shape',
  'oneOf-subjects-shape', 'ontologyIRI-versionIRI-prerequisite-shape', 'propertyChainAxiom-subjects-shape',
  'unionOf-subjects-shape', 'versionIRI-nodeKind-shape', 'withRestrictions-subjects-shape'
]

function usage (message) {
  if (message) console.error(`error: ${message}`)
  console.error('usage: node validate.mjs --ontology CASE_UCO_DIR [--show-infos] [--unsafe] FILE.jsonld...')
  process.exit(2)
}

function parseArgs (argv) {
  const args = { ontology: null, safe: true, infos: false, files: [] }
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--ontology') args.ontology = argv[++i]
    else if (argv[i] === '--show-infos') args.infos = true
    else if (argv[i] === '--unsafe') args.safe = false // upstream examples only (VALIDATING.md, pitfalls)
    else if (argv[i].startsWith('--')) usage(`unknown option ${argv[i]}`)
    else args.files.push(argv[i])
  }
  if (!args.ontology || args.files.length === 0) usage()
  return args
}

// Step 1: the monolithic ontology as one dataset.
function loadOntology (dir) {
  const file = path.join(dir, 'monolithic', 'case-1.4.0.ttl')
  const quads = new N3.Parser({ format: 'text/turtle' }).parse(fs.readFileSync(file, 'utf8'))
  const ds = rdf.dataset()
  for (const q of quads) ds.add(rdf.quad(q.subject, q.predicate, q.object))
  for (const name of SELF_REVIEW_SHAPES)
    ds.add(rdf.quad(rdf.namedNode(UCO_OWL + name), rdf.namedNode(SH + 'deactivated'), rdf.literal('true', rdf.namedNode('http://www.w3.org/2001/XMLSchema#boolean'))))
  return ds
}

// Step 7: every term the ontology declares.
function declaredTerms (ontology) {
  const declaringTypes = new Set(['Class', 'ObjectProperty', 'DatatypeProperty', 'AnnotationProperty', 'Ontology'].map(t => OWL + t)
    .concat([RDFS + 'Datatype', SH + 'NodeShape', SH + 'PropertyShape', SH + 'Shape']))
  const linking = new Set(['versionIRI', 'priorVersion', 'backwardCompatibleWith', 'imports', 'incompatibleWith'].map(p => OWL + p))
  const terms = new Set()
  for (const q of ontology) {
    if (q.predicate.value === RDF_TYPE && declaringTypes.has(q.object.value) && q.subject.termType === 'NamedNode') terms.add(q.subject.value)
    if (linking.has(q.predicate.value)) { terms.add(q.subject.value); terms.add(q.object.value) }
  }
  return terms
}

function undefinedTerms (data, declared) {
  const missing = new Set()
  const check = term => {
    const iri = term.termType === 'NamedNode' ? term.value : term.termType === 'Literal' ? term.datatype.value : null
    if (iri && ONTOLOGY_PREFIXES.some(p => iri.startsWith(p)) && !declared.has(iri)) missing.add(iri)
  }
  for (const q of data) { check(q.subject); check(q.predicate); check(q.object) }
  return [...missing]
}

// ---- SPARQL-based constraints: evaluated once per data graph with $this unbound (VALIDATING.md, "SPARQL-based
// constraints"), rows kept per ?this; the stock plugin's per-node evaluation is far too slow and crashes on
// dictionaries.
const engine = new QueryEngine()

function termKey (term) {
  if (term.termType === 'BlankNode') {
    // Comunica renames source blank nodes; its skolem IRI ends with the original label.
    const original = term.skolemized ? term.skolemized.value.replace(/^urn:comunica_skolem:source_\d+:/, '') : term.value
    return '_:' + original
  }
  return term.termType + ':' + term.value
}

function collectPrefixes (ptr, out = []) {
  for (const imported of ptr.out([rdf.namedNode(OWL + 'imports')])) collectPrefixes(imported, out)
  for (const declare of ptr.out([rdf.namedNode(SH + 'declare')])) {
    out.push(`PREFIX ${declare.out([rdf.namedNode(SH + 'prefix')]).value}: <${declare.out([rdf.namedNode(SH + 'namespace')]).value}>`)
  }
  return out
}

// Problem 1 of the stock plugin: `SELECT $this ... GROUP BY ?value` is rejected by Comunica's strict parser.
function groupThisToo (select) {
  return select.replace(/GROUP BY\s+(?![^]*?[$?]this\b)/i, 'GROUP BY $this ')
}

function compileSparql (shape) {
  const constraints = [...shape.sparql].map(sparqlPtr => {
    const select = sparqlPtr.out([rdf.namedNode(SH + 'select')]).value
    const prefixes = collectPrefixes(sparqlPtr.out([rdf.namedNode(SH + 'prefixes')]))
    const query = [...prefixes, groupThisToo(select)].join('\n')
    if (/\b(LIMIT|OFFSET)\b|\$PATH|\{\s*SELECT/i.test(select)) {
      throw new Error(`SPARQL constraint needs per-node evaluation, not implemented: ${select.slice(0, 80)}`)
    }
    return { query, message: sparqlPtr.out([rdf.namedNode(SH + 'message')]).terms, source: sparqlPtr.terms }
  })
  const perDataset = new WeakMap()
  const rowsFor = (dataset, c) => {
    let byQuery = perDataset.get(dataset)
    if (!byQuery) perDataset.set(dataset, (byQuery = new Map()))
    if (!byQuery.has(c.query)) {
      const source = { match: (s, p, o, g) => Readable.from(dataset.match(s, p, o, g)) }
      byQuery.set(c.query, engine.queryBindings(c.query, { sources: [source] }).then(s => s.toArray()).then(rows => {
        const byThis = new Map()
        for (const row of rows) {
          const key = termKey(row.get('this'))
          if (!byThis.has(key)) byThis.set(key, [])
          byThis.get(key).push(row)
        }
        return byThis
      }))
    }
    return byQuery.get(c.query)
  }
  return {
    generic: async context => {
      for (const c of constraints) {
        const byThis = await rowsFor(context.focusNode.dataset, c)
        for (const row of byThis.get(termKey(context.focusNode.term)) || []) {
          const value = row.get('value') || context.focusNode.term
          context.violation(rdf.namedNode(SH + 'SPARQLConstraintComponent'), {
            message: c.message, source: c.source, value: context.focusNode.node([value])
          })
        }
      }
    }
  }
}

function describe (term) {
  if (!term) return '-'
  if (term.termType === 'Literal') return JSON.stringify(term.value) + (term.datatype ? `^^<${term.datatype.value}>` : '')
  return term.termType === 'BlankNode' ? `_:${term.value}` : `<${term.value}>`
}

async function main () {
  const args = parseArgs(process.argv.slice(2))
  const ontology = loadOntology(args.ontology)
  const declared = declaredTerms(ontology)
  const validator = new Validator(ontology, {
    factory: rdf, targetResolvers, validations: new Map([[rdf.namedNode(SH + 'sparql'), compileSparql]])
  })
  const noRemoteContexts = async url => { throw new Error(`remote JSON-LD context not allowed: ${url}`) }
  let failed = false
  for (const file of args.files) {
    let dataset
    let dataQuads
    try {
      const doc = JSON.parse(fs.readFileSync(file, 'utf8'))
      const nquads = await jsonld.toRDF(doc, { format: 'application/n-quads', safe: args.safe, documentLoader: noRemoteContexts })
      dataQuads = new N3.Parser({ format: 'application/n-quads' }).parse(nquads)
    } catch (e) {
      console.log(`${file}: cannot read as JSON-LD: ${e.message}`)
      failed = true
      continue
    }
    // Step 4: data + ontology in one default graph, so SPARQL sees the class hierarchy.
    dataset = rdf.dataset()
    for (const q of dataQuads) dataset.add(rdf.quad(q.subject, q.predicate, q.object))
    for (const q of ontology) dataset.add(q)

    const report = await validator.validate({ dataset })
    const counts = { Violation: 0, Warning: 0, Info: 0 }
    for (const r of report.results) {
      const severity = r.severity.value.replace(SH, '')
      if (!(severity in counts)) continue
      counts[severity]++
      if (severity === 'Info' && !args.infos) continue // step 6: advisory only, as with --allow-infos
      const resultPath = r.path ? r.path.map(step => step.predicates.map(p => p.value).join('|')).join('/') : '-'
      console.log(`${file}: ${severity}: focus ${describe(r.focusNode.term)} path ${resultPath} value ${describe(r.value && r.value.term)} ` +
        `component ${r.constraintComponent.value.replace(SH, 'sh:')} — ${r.message.map(m => m.value).join(' ')}`)
    }
    const undefinedIris = undefinedTerms(dataQuads, declared)
    for (const iri of undefinedIris) console.log(`${file}: Violation: undefined ontology term <${iri}>`)
    const conforms = counts.Violation === 0 && counts.Warning === 0 && undefinedIris.length === 0
    failed ||= !conforms
    console.log(`${file}: ${conforms ? 'CONFORMS' : 'DOES NOT CONFORM'} — ${dataQuads.length} triples, ` +
      `${counts.Violation} violations, ${counts.Warning} warnings, ${counts.Info} infos, ${undefinedIris.length} undefined terms`)
  }
  process.exit(failed ? 1 : 0)
}

main().catch(e => { console.error(`error: ${e.stack || e.message}`); process.exit(2) })
