/**
 * Jobs as users submit them and as the scheduler keeps them: the spec, the lifecycle with its
 * reasons, the allocation down to GPU UUIDs and MIG instances, and why a job waits.
 */
package dev.vigil.api.jobs;
