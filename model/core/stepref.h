#pragma once

// A step of a BuildGraph named by position: stages[stage].steps[step]. The one key every layer uses for
// steps (analysis, cache engine, views, report), instead of ad hoc pairs or packed integers.

#include <QHashFunctions>
#include <QMetaType>

#include <compare>

namespace Stagelens {

struct StepRef
{
    int stage = -1;
    int step = -1;

    bool isValid() const { return stage >= 0 && step >= 0; }
    friend bool operator==(const StepRef &, const StepRef &) = default;
    friend auto operator<=>(const StepRef &, const StepRef &) = default;
};

inline size_t qHash(const StepRef &ref, size_t seed = 0) noexcept
{
    return qHashMulti(seed, ref.stage, ref.step);
}

} // namespace Stagelens

Q_DECLARE_METATYPE(Stagelens::StepRef)
