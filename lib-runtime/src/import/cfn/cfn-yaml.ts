import { parseAllDocuments, Tags, YAMLMap, YAMLSeq } from 'yaml';

/**
 * CloudFormation's YAML short forms (`!Ref x`, `!GetAtt A.B`, `!Sub '…'`, `!Join [...]`, …),
 * turned into the long JSON forms (`{ "Ref": "x" }`, `{ "Fn::GetAtt": ["A", "B"] }`) so the
 * resolver sees one shape whatever the template's syntax.
 */

/** Short-form functions and the long-form key they stand for. */
const FUNCTIONS: Record<string, string> = {
  Ref: 'Ref',
  Condition: 'Condition',
  GetAtt: 'Fn::GetAtt',
  Sub: 'Fn::Sub',
  Join: 'Fn::Join',
  Select: 'Fn::Select',
  Split: 'Fn::Split',
  If: 'Fn::If',
  Equals: 'Fn::Equals',
  Not: 'Fn::Not',
  And: 'Fn::And',
  Or: 'Fn::Or',
  ImportValue: 'Fn::ImportValue',
  FindInMap: 'Fn::FindInMap',
  Base64: 'Fn::Base64',
  GetAZs: 'Fn::GetAZs',
  Cidr: 'Fn::Cidr',
  Length: 'Fn::Length',
  ToJsonString: 'Fn::ToJsonString',
};

function scalarForm(name: string, key: string): string | unknown {
  return name === 'GetAtt'
    // `!GetAtt Resource.Attribute`: the first dot splits (attributes may hold dots themselves).
    ? (value: string) => {
      const dot = value.indexOf('.');
      return { [key]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
    }
    : (value: string) => ({ [key]: value });
}

function cloudFormationTags(): Tags {
  const tags: Tags = [];
  for (const [name, key] of Object.entries(FUNCTIONS)) {
    tags.push({ tag: `!${name}`, resolve: scalarForm(name, key) as (value: string) => unknown });
    tags.push({ tag: `!${name}`, collection: 'seq', resolve: (seq) => ({ [key]: (seq as YAMLSeq).toJSON() }) });
    tags.push({ tag: `!${name}`, collection: 'map', resolve: (map) => ({ [key]: (map as YAMLMap).toJSON() }) });
  }
  return tags;
}

const CFN_TAGS = cloudFormationTags();

/**
 * Parses a CloudFormation template written in YAML (short forms allowed). Throws an Error with
 * the parser's message (line and column) on a syntax error.
 */
export function parseCfnYaml(text: string): unknown {
  const docs = parseAllDocuments(text, { customTags: CFN_TAGS, prettyErrors: true, uniqueKeys: true, intAsBigInt: false });
  if (!Array.isArray(docs)) return undefined;
  if (docs.length !== 1) throw new Error(`a template is one YAML document; this file holds ${docs.length}`);
  const [doc] = docs;
  if (doc.errors.length > 0) throw new Error(doc.errors[0].message);
  // The YAML 1.1 forms of true/false/yes/no stay strings: CloudFormation reads YAML 1.2 core.
  return doc.toJS({ maxAliasCount: 100 });
}
