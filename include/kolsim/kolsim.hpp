// SPDX-License-Identifier: MIT
/// Umbrella header: includes every public header of kolsim, nothing else.
#pragma once

#include "kolsim/core/error.hpp"
#include "kolsim/core/parallel.hpp"
#include "kolsim/core/rng.hpp"
#include "kolsim/core/types.hpp"
#include "kolsim/core/version.hpp"
#include "kolsim/diffusion/model.hpp"
#include "kolsim/graph/builder.hpp"
#include "kolsim/graph/follower_graph.hpp"
#include "kolsim/select/common.hpp"
