// Package report runs the reverse-engineering analyses of package dynamics
// on a trained network (core/METHOD.md section 5) and renders the results:
// report.json, one SVG figure per analysis (gonum/plot) and an index.html
// showing them with captions. It does no file I/O: Files returns the
// directory's contents and the caller writes them.
//
// # report.json (schema "hmmrnn-report/1")
//
// Top level:
//
//	schema        "hmmrnn-report/1"
//	model         {name, hidden, input, outputs, noise_std, hmm_states, seq_len}
//	seed, sigma   the random seed and the noise std the analyses used
//	seconds       {analysis: wall seconds}
//	kick_neurons  flat list of 0-based kick-neuron indices ([] if none)
//	checks        core/METHOD.md section 6 in numbers: one_fixed_point,
//	              cluster_mean_unstable, transition_mean_unstable,
//	              clusters_stable, transitions_less_stable,
//	              sensitivity_ratio, relative_sensitivity_ratio,
//	              raw_sensitivity_ratio,
//	              kick_fraction, kick_directions, kick_groups, kick_cut,
//	              control_cut, best_group_cut,
//	              kick_double_cut, control_double_cut
//	notes         remarks on skipped analyses and on directions without a
//	              kick group
//
// One object per analysis, absent when it did not run:
//
//	pca           {steps, explained[PC1..3], transition_rate, output_freq[O]}
//	collapse      input-free runs: {runs, steps, endpoints, end_tolerance,
//	              fixed_point[H], fixed_point_norm, mean_start_norm,
//	              mean_end_norm, decay_20, asymptotic_rate, log10_norm[steps+1]}
//	fixed_points  [{kind "origin"|"fixed"|"slow", state[H], speed, q, starts,
//	              spectrum{active, unstable, complex, critical, radius},
//	              eigen[[re, im]...], pc[3]}]
//	residency     {start, states, continuations, max_steps, residency[n],
//	              zone[n] ("transition"|"kick"|"cluster"|"other"),
//	              unstable[n], critical[n], by_zone[{zone, count,
//	              mean_residency, mean_sign_changes, mean_unstable,
//	              mean_critical, mean_complex}]}
//	sensitivity   {gammas, steps, continuations, cluster_states[],
//	              transition_states[], candidates, cluster[{gamma,
//	              trace_cov[steps], mean_dist[steps], drift[steps],
//	              noise_share[steps], trace_pc[steps], drift_pc[steps],
//	              noise_share_pc[steps]}], transition[...],
//	              cluster_shares[], transition_shares[], ratio,
//	              full_ratio, raw_ratio, raw_plane_ratio}
//	noise         the noise-level scan: {levels[{sigma, transition_rate,
//	              spread, density[bins^2], fidelity{freq, changes, freq_diff,
//	              trans_diff, changes_diff, rows[], ok}}], bins, x0, x1, y0,
//	              y1, best_sigma} (fidelity: stats.EmissionFidelity)
//	kick          {seed, sigma, steps, score "prevention"|"attribution",
//	              neurons[], groups[{direction{from,to}, neurons[]}],
//	              candidates[{neuron, direction, z, attribution, prevented}],
//	              directions[{direction, rate, events, status
//	              "group"|"none"|"rare"|"few", prefix_cut[], best_cut, cut,
//	              control_cut, control_cut_max}],
//	              events{"a->b": n}, base_rate, cut, mode, fraction,
//	              integrating[{direction, neurons[]}],
//	              blocks[{to, from, mean, rows, cols}]}
//	causal        {mus[], mode, base_rate, curves[{name "kick"|"kick a->b"|
//	              "integrating"|"controlN", neurons[], rate[mu], cut[mu],
//	              critical[mu], unstable[mu]}], kick_cut, integrating_cut,
//	              control_cut_mean, control_cut_max, group_cuts{"a->b": cut},
//	              best_group_cut, kick_double_cut, control_double_cut_mean}
//	evolution     {points[{label, step, transition_rate, mean_complex,
//	              mean_unstable, mean_critical, dh2[H], mean_dh2}],
//	              bifurcation, bifurcation_step, portraits[{index, label}]}
//	readout       [{output, degrees, norm}]
//	compositionality [{outputs[2], steps, spans, explained[2],
//	              switches[2], transition_rate, zones{zone: n}}]
//
// Rates are argmax-output switches per step; a "cut" is 1 - rate/base_rate
// (1 = switching stopped, 0 = unchanged, < 0 = more switching).
//
// # Noise sensitivity
//
// core/METHOD.md section 5.6 claims clusters are noise-driven and transitions
// deterministic. The report tests it with the noise share of the motion
// (dynamics.Spread): from each state, spread / (spread + drift^2) of 100
// continuations after 5 steps, spread = trace of their covariance, drift =
// distance of their mean from the start. sensitivity_ratio is the
// cluster/transition ratio of its mean over 30 states of each zone, at
// gamma = 1, in the PC1-PC2 plane (relative_sensitivity_ratio: in all H
// dimensions); > 1 reproduces the claim. raw_sensitivity_ratio is the
// ratio of the raw spreads, reported for completeness: with additive noise
// every state receives the same noise covariance, so the raw spread is of
// the same order everywhere (on the trained 2-state reference networks the
// ratio is 0.7-1.1) and cannot show the claim either way.
package report
