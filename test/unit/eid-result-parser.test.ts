import { describe, expect, it } from '@jest/globals';
import { parseGetResultResponse, parseUseIdResponse, toEidResult } from '../../src/eid/eid-result-parser.ts';

const envelope = (body: string): string =>
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
  + ' xmlns:eid="http://bsi.bund.de/eID/" xmlns:dss="urn:oasis:names:tc:dss:1.0:core:schema">'
  + `<soapenv:Header/><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

const OK = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#ok';
const ERR = 'http://www.bsi.bund.de/ecard/api/1.1/resultmajor#error';
const MINOR = 'http://www.bsi.bund.de/eid/server/2.0/resultminor';

describe('eID result parser (EID-09, lenient per EID.md §1.2/§7)', () => {
  it('reads the BSI sample layout: unqualified ResultMajor, LevelOfAssuranceResponse, an unknown element', () => {
    const answer = parseGetResultResponse(envelope(`<eid:getResultResponse>
      <eid:PersonalData>
        <eid:DocumentType>ID</eid:DocumentType><eid:IssuingState>D</eid:IssuingState><eid:DateOfExpiry>2029-10-31+01:00</eid:DateOfExpiry>
        <eid:GivenNames>ERIKA</eid:GivenNames><eid:FamilyNames>MUSTERMANN</eid:FamilyNames>
        <eid:Sex>F</eid:Sex>
        <eid:DateOfBirth><eid:DateValue>1964-08-12</eid:DateValue></eid:DateOfBirth>
        <eid:PlaceOfBirth><eid:FreetextPlace>BERLIN</eid:FreetextPlace></eid:PlaceOfBirth>
        <eid:PlaceOfResidence><eid:StructuredPlace><eid:Street>HEIDESTRASSE 17</eid:Street><eid:City>KÖLN</eid:City>
          <eid:Country>D</eid:Country><eid:ZipCode>51147</eid:ZipCode></eid:StructuredPlace></eid:PlaceOfResidence>
        <eid:RestrictedID><eid:ID>ABCDEF0123</eid:ID></eid:RestrictedID>
      </eid:PersonalData>
      <eid:OperationsAllowedByUser><eid:GivenNames>ALLOWED</eid:GivenNames><eid:BirthName>NOTONCHIP</eid:BirthName>
        <eid:AcademicTitle>PROHIBITED</eid:AcademicTitle><eid:Sex>ALLOWED</eid:Sex></eid:OperationsAllowedByUser>
      <eid:LevelOfAssuranceResponse>http://bsi.bund.de/eID/LoA/hoch</eid:LevelOfAssuranceResponse>
      <eid:Result><ResultMajor>${OK}</ResultMajor></eid:Result>
    </eid:getResultResponse>`));
    expect(answer.levelOfAssurance).toBe('http://bsi.bund.de/eID/LoA/hoch');
    expect(answer.allowed).toEqual({ GivenNames: 'ALLOWED', BirthName: 'NOTONCHIP', AcademicTitle: 'PROHIBITED' });
    const result = toEidResult(answer);
    expect(result).toEqual({
      ok: true,
      allowed: answer.allowed,
      person: {
        documentType: 'ID', issuingState: 'D', dateOfExpiry: '2029-10-31', givenNames: 'ERIKA', familyNames: 'MUSTERMANN',
        dateOfBirth: '19640812', placeOfBirth: { kind: 'freetext', text: 'BERLIN' },
        placeOfResidence: { kind: 'structured', street: 'HEIDESTRASSE 17', city: 'KÖLN', country: 'D', zipCode: '51147' },
        restrictedId: 'abcdef0123',
      },
    });
  });

  it('reads the XSD layout: dss-qualified Result, LevelOfAssuranceResult, DateString with unknown day, NoPlaceInfo', () => {
    const answer = parseGetResultResponse(envelope(`<getResultResponse xmlns="http://bsi.bund.de/eID/">
      <PersonalData>
        <DateOfBirth><DateString>199409  </DateString></DateOfBirth>
        <PlaceOfResidence><NoPlaceInfo>keine Wohnung in Deutschland</NoPlaceInfo></PlaceOfResidence>
      </PersonalData>
      <LevelOfAssuranceResult>http://bsi.bund.de/eID/LoA/substantiell</LevelOfAssuranceResult>
      <dss:Result><dss:ResultMajor>${OK}</dss:ResultMajor></dss:Result>
    </getResultResponse>`));
    expect(answer.levelOfAssurance).toBe('http://bsi.bund.de/eID/LoA/substantiell');
    expect(answer.person).toEqual({ dateOfBirth: '199409  ', placeOfResidence: { kind: 'none', text: 'keine Wohnung in Deutschland' } });
  });

  it('prefers DateString over DateValue when both are sent', () => {
    const answer = parseGetResultResponse(envelope(`<eid:getResultResponse><eid:PersonalData><eid:DateOfBirth>
      <eid:DateString>19640812</eid:DateString><eid:DateValue>1964-08-12</eid:DateValue></eid:DateOfBirth></eid:PersonalData>
      <dss:Result><dss:ResultMajor>${OK}</dss:ResultMajor></dss:Result></eid:getResultResponse>`));
    expect(answer.person.dateOfBirth).toBe('19640812');
  });

  it.each([
    [`${MINOR}/getResult#noResultYet`, '', 'no_result_yet'],
    [`${MINOR}/getResult#invalidSession`, '', 'invalid_session'],
    ['http://www.bsi.bund.de/ecard/api/1.1/resultminor/sal#cancellationByUser', '', 'cancelled'],
    ['http://www.bsi.bund.de/ecard/api/1.1/resultminor/sal#securityConditionNotSatisfied', '', 'wrong_pin'],
    [`${MINOR}/getResult#invalidDocument`, 'Document expired', 'card_expired'],
    [`${MINOR}/getResult#invalidDocument`, 'Document revoked (block list)', 'card_revoked'],
    [`${MINOR}/getResult#invalidDocument`, 'Passive authentication failed', 'error'],
    [`${MINOR}/common#internalError`, '', 'error'],
  ])('maps ResultMinor %s (%s) to %s', (minor, message, reason) => {
    const msg = message ? `<dss:ResultMessage xml:lang="en">${message}</dss:ResultMessage>` : '';
    const answer = parseGetResultResponse(envelope(`<eid:getResultResponse><dss:Result><dss:ResultMajor>${ERR}</dss:ResultMajor>`
      + `<dss:ResultMinor>${minor}</dss:ResultMinor>${msg}</dss:Result></eid:getResultResponse>`));
    expect(toEidResult(answer)).toEqual({ ok: false, reason, minor });
  });

  it('reads a FreetextPlace and a StructuredPlace without optional parts', () => {
    const answer = parseGetResultResponse(envelope(`<eid:getResultResponse><eid:PersonalData>
      <eid:PlaceOfBirth><eid:FreetextPlace>PRIŠTINA</eid:FreetextPlace></eid:PlaceOfBirth>
      <eid:PlaceOfResidence><eid:StructuredPlace><eid:City>HALLE (SAALE)</eid:City><eid:Country>D</eid:Country></eid:StructuredPlace></eid:PlaceOfResidence>
      </eid:PersonalData><eid:Result><ResultMajor>${OK}</ResultMajor></eid:Result></eid:getResultResponse>`));
    expect(answer.person.placeOfBirth).toEqual({ kind: 'freetext', text: 'PRIŠTINA' });
    expect(answer.person.placeOfResidence).toEqual({ kind: 'structured', city: 'HALLE (SAALE)', country: 'D' });
  });

  it('reads useIDResponse with session, server address and PSK', () => {
    const answer = parseUseIdResponse(envelope(`<eid:useIDResponse><eid:Session><eid:ID>${'ab'.repeat(32)}</eid:ID></eid:Session>
      <eid:eCardServerAddress>https://eid.example/paos</eid:eCardServerAddress>
      <eid:PSK><eid:ID>${'1'.repeat(32)}</eid:ID><eid:Key>${'cd'.repeat(32)}</eid:Key></eid:PSK>
      <dss:Result><dss:ResultMajor>${OK}</dss:ResultMajor></dss:Result></eid:useIDResponse>`));
    expect(answer).toEqual({
      major: OK, minor: undefined, message: undefined, sessionId: 'ab'.repeat(32),
      eCardServerAddress: 'https://eid.example/paos', pskId: '1'.repeat(32), pskKey: 'cd'.repeat(32),
    });
  });

  it('rejects a response without the operation element', () => {
    expect(() => parseGetResultResponse(envelope('<eid:somethingElse/>'))).toThrow(/getResultResponse/);
  });
});
