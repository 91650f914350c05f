export { CASE_BASED_IDENTITY, CaseBasedDrafter } from './drafter.js';
