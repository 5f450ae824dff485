/**
 * Vigil's Slurm client. {@link dev.vigil.slurm.Slurm#connect} probes slurmrestd for the newest
 * API version it serves (v0.0.41 down to v0.0.38) and uses it for jobs and nodes; the Slurm
 * commands on the same host ({@code sbatch}, {@code scontrol}) do what that version's REST
 * cannot: {@code --switches} before v0.0.41, node drain and resume on 22.05, a field REST
 * refuses. Values are records ({@link dev.vigil.slurm.SlurmJob}, {@link dev.vigil.slurm.SlurmNode},
 * {@link dev.vigil.slurm.JobRequest}); every failure is a {@link dev.vigil.slurm.SlurmException}
 * carrying Slurm's own message and the request.
 */
package dev.vigil.slurm;
