#pragma once
// The schema's building blocks, shared by the files that define its
// sections (schema.cpp, schema_analysis.cpp, schema_content.cpp,
// schema_cluster.cpp). Internal
// to config/.

#include <optional>
#include <string>
#include <vector>

#include "config/settings.hpp"

namespace herald::config::detail {

key_spec key(std::string k, value_type t, std::optional<value> def, std::string unit,
             std::string description);
key_spec ranged(key_spec s, std::optional<double> min, std::optional<double> max);
key_spec one_of(key_spec s, std::vector<std::string> allowed);

/// "" when `s` is an interval name, else what is wrong.
std::string check_interval(const std::string& s);

/// [analysis], [analysis.<analyzer>], [risk] (issue 5).
void add_analysis_keys(std::vector<key_spec>& out);

/// [content] and [publish.<channel>] (issue 6).
void add_content_keys(std::vector<key_spec>& out);

/// [community.<platform>]: the listeners (issue 18).
void add_community_keys(std::vector<key_spec>& out);
void add_community_checks(std::vector<schema::check>& out);
/// [engagement]: the engagement agent's gate and replies (issue 18).
void add_engagement_keys(std::vector<key_spec>& out);
/// [analytics]: metrics snapshots, reports, the weekly performance article (issue 18).
void add_analytics_keys(std::vector<key_spec>& out);
/// [track-record]: outcome posts and the track-record article (issue 18).
void add_track_record_keys(std::vector<key_spec>& out);
/// [repurpose]: threads, summaries and follow-ups made from what performed (issue 18).
void add_repurpose_keys(std::vector<key_spec>& out);
/// [learning.ab] (config/schema_learning.cpp).
void add_learning_keys(std::vector<key_spec>& out);
void add_learning_checks(std::vector<schema::check>& out);

/// [cluster]: `herald node` (issue 16).
void add_cluster_keys(std::vector<key_spec>& out);
void add_cluster_checks(std::vector<schema::check>& out);

/// "" when `s` is "host:port" with a port in [1, 65535], else what is wrong.
std::string check_host_port(const std::string& s);

} // namespace herald::config::detail
