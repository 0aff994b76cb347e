// The codec key the recorded histories were encrypted with. It protects nothing: the recordings hold
// emulator data and emulator keys only. It is fixed so that replay decodes payloads through the same
// data converter (codec included) that production workers use.
export const FIXTURE_ENCRYPTION_KEYS = 'replay1:cmVwbGF5LWZpeHR1cmVzLW5vdC1hLXNlY3JldC0wMDA=';
