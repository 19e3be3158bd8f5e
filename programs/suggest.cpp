// "Did you mean": the closest known word within a small edit distance.
#include "programs/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace treadmill::programs {

namespace {

// Optimal string alignment distance (a transposition counts as one edit), case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    const auto same = [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    };
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = same(a[i - 1], b[j - 1]) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]))
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

// How many leading characters `a` and `b` share (case-insensitive).
std::size_t common_prefix(std::string_view a, std::string_view b) {
    std::size_t n = 0;
    while (n < a.size() && n < b.size() &&
           std::tolower(static_cast<unsigned char>(a[n])) ==
               std::tolower(static_cast<unsigned char>(b[n])))
        ++n;
    return n;
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
    if (word.size() > 64) return "";
    const std::size_t limit = word.size() <= 3 ? 1 : word.size() < 9 ? 2 : 3;
    std::string best;
    std::size_t best_distance = limit + 1;
    std::size_t best_prefix = 0;
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(word, c);
        const std::size_t prefix = common_prefix(word, c);
        // A tie goes to the candidate that starts like the word ('mil' -> 'mile', not 'min').
        if (d < best_distance || (d == best_distance && prefix > best_prefix))
            best_distance = d, best_prefix = prefix, best = c;
    }
    return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    const std::string best = closest_match(word, candidates);
    return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

}  // namespace treadmill::programs
