// SPDX-License-Identifier: MIT
/// The one-process back end of the `kolsim` tool (kolsim built without MPI): nothing to start,
/// every command runs in this process.
#include "../cli.hpp"

namespace kolsim::cli {

void start_backend(int&, char**&) {}
std::optional<SpreadEstimate> backend_spread(const FollowerGraph&, const std::string&, std::span<const vertex_t>,
                                             const MonteCarloOptions&) {
  return std::nullopt;
}
std::optional<ImmResult> backend_imm(const FollowerGraph&, const std::string&, std::size_t, const ImmOptions&) {
  return std::nullopt;
}
std::optional<OpimResult> backend_opim_c(const FollowerGraph&, const std::string&, std::size_t, const OpimOptions&) {
  return std::nullopt;
}
std::optional<CampaignPlan> backend_plan(const FollowerGraph&, const IndependentCascade&, const Roster&,
                                         const CampaignSpec&) {
  return std::nullopt;
}
std::optional<CampaignPlan> backend_plan(const FollowerGraph&, const LinearThreshold&, const Roster&, const CampaignSpec&) {
  return std::nullopt;
}
std::optional<CampaignPlan> backend_plan(const FollowerGraph&, const ContinuousIC&, const Roster&, const CampaignSpec&) {
  return std::nullopt;
}
bool backend_writer() { return true; }
int backend_on_root(const std::function<int()>& run) { return run(); }

}  // namespace kolsim::cli
