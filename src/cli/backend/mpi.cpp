// SPDX-License-Identifier: MIT
/// The MPI back end of the `kolsim` tool: under `mpirun -np P` (P > 1) spread and selection run
/// over every rank (kolsim::distributed) with one process's answer, and so does `plan`; rank 0
/// alone writes. Every other command runs on rank 0 alone (backend_on_root).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <streambuf>
#include <thread>

#include <kolsim/distributed/monte_carlo.hpp>
#include <kolsim/distributed/plan.hpp>
#include <kolsim/distributed/select.hpp>

#include "../cli.hpp"

namespace kolsim::cli {
namespace {

std::unique_ptr<distributed::Environment> environment;
std::unique_ptr<distributed::Communicator> world;

/// Discards what the ranks other than 0 would print.
struct NullBuffer : std::streambuf {
  int overflow(int c) override { return c == traits_type::eof() ? 0 : c; }
};
NullBuffer null_buffer;

/// Puts back the buffers std::cout / std::cerr had before start_backend silenced them. Defined
/// after null_buffer, so it is destroyed first: the streams never point at a destroyed buffer
/// when the runtime flushes them at exit (found by ASan: a flush through a dead vtable).
struct RestoreStreams {
  std::streambuf* out = nullptr;
  std::streambuf* err = nullptr;
  ~RestoreStreams() {
    if (out) std::cout.rdbuf(out);
    if (err) std::cerr.rdbuf(err);
  }
};
RestoreStreams restore_streams;

/// Started by an MPI launcher (Open MPI, MPICH/Hydra, PMIx)? A plain `kolsim` run never starts MPI.
bool under_launcher() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(v)) return true;
  return false;
}

bool shared() { return world && world->size() > 1; }

template <class F>
auto with_model(const std::string& model, F&& f) {
  if (model == "lt") return f(LinearThreshold{});
  if (model != "ic")
    throw UsageError("under mpirun only --model ic and lt run distributed, got --model " + model +
                     "; run it without mpirun");
  return f(IndependentCascade{});
}

}  // namespace

void start_backend(int& argc, char**& argv) {
  if (!under_launcher()) return;
  environment = std::make_unique<distributed::Environment>(&argc, &argv);
  world = std::make_unique<distributed::Communicator>(MPI_COMM_WORLD);
  if (world->rank() != 0) {
    restore_streams.out = std::cout.rdbuf(&null_buffer);
    restore_streams.err = std::cerr.rdbuf(&null_buffer);
  }
}

std::optional<SpreadEstimate> backend_spread(const FollowerGraph& g, const std::string& model,
                                             std::span<const vertex_t> seeds, const MonteCarloOptions& opt) {
  if (!shared()) return std::nullopt;
  return with_model(model, [&](auto m) { return distributed::estimate_spread(*world, g, m, seeds, opt); });
}

std::optional<ImmResult> backend_imm(const FollowerGraph& g, const std::string& model, std::size_t k,
                                     const ImmOptions& opt) {
  if (!shared()) return std::nullopt;
  return with_model(model, [&](auto m) { return distributed::imm(*world, g, m, k, opt); });
}

std::optional<OpimResult> backend_opim_c(const FollowerGraph& g, const std::string& model, std::size_t k,
                                         const OpimOptions& opt) {
  if (!shared()) return std::nullopt;
  return with_model(model, [&](auto m) { return distributed::opim_c(*world, g, m, k, opt); });
}

std::optional<CampaignPlan> backend_plan(const FollowerGraph& g, const IndependentCascade& model, const Roster& roster,
                                         const CampaignSpec& spec) {
  if (!shared()) return std::nullopt;
  return distributed::plan_campaign(*world, g, model, roster, spec);
}
std::optional<CampaignPlan> backend_plan(const FollowerGraph& g, const LinearThreshold& model, const Roster& roster,
                                         const CampaignSpec& spec) {
  if (!shared()) return std::nullopt;
  return distributed::plan_campaign(*world, g, model, roster, spec);
}
std::optional<CampaignPlan> backend_plan(const FollowerGraph& g, const ContinuousIC& model, const Roster& roster,
                                         const CampaignSpec& spec) {
  if (!shared()) return std::nullopt;
  return distributed::plan_campaign(*world, g, model, roster, spec);
}

bool backend_writer() { return !world || world->root(); }

int backend_on_root(const std::function<int()>& run) {
  if (!shared()) return run();
  int status = world->root() ? run() : 0;
  // Rank 0's exit status, broadcast without blocking: the other ranks, idle since the start, test
  // for it every few milliseconds and sleep in between (a blocking MPI_Bcast would spin a core
  // each for as long as rank 0 works). SIGINT/SIGTERM keep their default action on every rank,
  // and mpirun ends the whole job when any rank dies of one.
  MPI_Request request;
  MPI_Ibcast(&status, 1, MPI_INT, 0, world->get(), &request);
  auto pause = std::chrono::milliseconds(1);
  for (int done = 0;;) {
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) return status;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

}  // namespace kolsim::cli
