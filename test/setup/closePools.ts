// Worker threads of the shared SHA-1 pool are stopped after each test file, so jest's workers exit cleanly.
import { closeSharedHashPool } from '../../lambda/hashing/hashPool';

afterAll(async () => {
  await closeSharedHashPool();
});
