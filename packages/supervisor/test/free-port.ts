// One definition in @velos/test-helpers; this module keeps the path the tests import.
export { freePort, freePorts } from '@velos/test-helpers';
