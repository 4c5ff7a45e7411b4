import { describeFaults } from './fault-suite.js';

describeFaults(1);
