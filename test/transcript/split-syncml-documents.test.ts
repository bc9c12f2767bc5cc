import { describe, expect, it } from 'vitest';
import { splitSyncMLDocuments } from '../../src/transcript/split-syncml-documents.js';
import { splitFrontMatter } from '../../src/transcript/split-front-matter.js';
import { TranscriptFormatError } from '../../src/transcript/transcript-format-error.js';

const doc = (n: number): string => `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><MsgID>${n}</MsgID></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`;

describe('splitSyncMLDocuments', () => {
  it('splits plain concatenated documents', () => {
    const docs = splitSyncMLDocuments(doc(1) + doc(2) + doc(3));
    expect(docs.map((d) => d.text)).toEqual([doc(1), doc(2), doc(3)]);
  });

  it('skips XML declarations, comments, whitespace and a DOCTYPE between documents, and a BOM', () => {
    const input = `\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<!-- request 1 -->\n${doc(1)}\n\n<?xml version="1.0"?>\r\n<!DOCTYPE SyncML PUBLIC "-//SYNCML//DTD SyncML 1.2//EN" "x.dtd">\n  ${doc(2)}  \n<!-- end -->\n`;
    const docs = splitSyncMLDocuments(input);
    expect(docs.map((d) => d.text)).toEqual([doc(1), doc(2)]);
    expect(docs.map((d) => d.line)).toEqual([3, 7]);
  });

  it('counts lines from an offset (after a header)', () => {
    const docs = splitSyncMLDocuments(`\n${doc(1)}`, { lineOffset: 10 });
    expect(docs[0]?.line).toBe(12);
  });

  it('does not end a document at </SyncML> inside CDATA, a comment or an attribute value', () => {
    const tricky = `<SyncML xmlns='SYNCML:SYNCML1.2' a="x>y"><SyncBody><Replace><Item><Data><![CDATA[</SyncML>]]></Data></Item></Replace><!-- </SyncML> --><Final/></SyncBody></SyncML>`;
    const docs = splitSyncMLDocuments(tricky + doc(2));
    expect(docs.map((d) => d.text)).toEqual([tricky, doc(2)]);
  });

  it('accepts a namespace prefix on the root and multi-line tags', () => {
    const prefixed = `<s:SyncML\n  xmlns:s="SYNCML:SYNCML1.2"><s:SyncBody/></s:SyncML>`;
    expect(splitSyncMLDocuments(`${prefixed}\n${doc(1)}`).map((d) => d.text)).toEqual([prefixed, doc(1)]);
  });

  it('names the line of text outside a document', () => {
    const attempt = (): unknown => splitSyncMLDocuments(`${doc(1)}\n--- response ---\n${doc(2)}`, { fileName: 'cap.xml' });
    expect(attempt).toThrow(TranscriptFormatError);
    expect(attempt).toThrow(/cap\.xml:2: text outside a <SyncML> document: "--- response ---"/);
  });

  it('reports a truncated document', () => {
    expect(() => splitSyncMLDocuments(`${doc(1)}\n<SyncML><SyncHdr>`)).toThrow(/transcript:2: <SyncML> document is not closed/);
  });

  it('returns nothing for an empty file', () => {
    expect(splitSyncMLDocuments('  \n<!-- nothing -->\n')).toEqual([]);
  });
});

describe('splitFrontMatter', () => {
  it('takes the YAML between two --- lines', () => {
    const r = splitFrontMatter('---\npurpose: x\nmode: strict\n---\n<SyncML/>\n');
    expect(r).toEqual({ header: 'purpose: x\nmode: strict', body: '<SyncML/>\n', bodyLineOffset: 4 });
  });

  it('handles CRLF files', () => {
    const r = splitFrontMatter('---\r\npurpose: x\r\n---\r\n<SyncML/>');
    expect(r.header).toBe('purpose: x\r');
    expect(r.body).toBe('<SyncML/>');
  });

  it('treats a file that does not start with --- as headerless', () => {
    expect(splitFrontMatter('<SyncML/>')).toEqual({ header: null, body: '<SyncML/>', bodyLineOffset: 0 });
  });

  it('rejects an unclosed header', () => {
    expect(() => splitFrontMatter('---\npurpose: x\n<SyncML/>', 'a.xml')).toThrow(/a\.xml:1: header opened with "---" is never closed/);
  });
});
