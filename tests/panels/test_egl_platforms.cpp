// The off-screen EGL plan from client extension strings as drivers report them.
#include <gtest/gtest.h>

#include "app/platform/egl_platforms.h"

namespace normviz::app {
namespace {

using P = EglPlatform;

// NVIDIA's driver names device enumeration and query only through EGL_EXT_device_base.
TEST(EglPlatforms, DeviceBaseProvidesEnumerationAndQuery) {
    const EglPlan plan = plan_egl_platforms(
        "EGL_EXT_platform_base EGL_EXT_device_base EGL_EXT_platform_device EGL_KHR_platform_gbm "
        "EGL_KHR_platform_x11 EGL_EXT_platform_x11 EGL_KHR_client_get_all_proc_addresses");
    EXPECT_EQ(plan.platforms, (std::vector<P>{P::Device, P::Default}));
    EXPECT_EQ(plan.found, "device platform (EGL_EXT_device_base), no surfaceless platform");
}

// Mesa names the two parts separately and has the surfaceless platform too.
TEST(EglPlatforms, SeparateNamesAndSurfaceless) {
    const EglPlan plan = plan_egl_platforms(
        "EGL_EXT_device_enumeration EGL_EXT_device_query EGL_EXT_platform_base EGL_KHR_client_get_all_proc_addresses "
        "EGL_EXT_client_extensions EGL_KHR_debug EGL_EXT_platform_device EGL_EXT_platform_wayland "
        "EGL_KHR_platform_wayland EGL_EXT_platform_x11 EGL_KHR_platform_x11 EGL_MESA_platform_gbm "
        "EGL_KHR_platform_gbm EGL_MESA_platform_surfaceless");
    EXPECT_EQ(plan.platforms, (std::vector<P>{P::Device, P::Surfaceless, P::Default}));
    EXPECT_EQ(plan.found, "device platform (EGL_EXT_device_enumeration, EGL_EXT_device_query), surfaceless platform");
}

// Enumeration without query is not enough for the device platform; the error names both gaps.
TEST(EglPlatforms, MissingQueryFallsBackAndSaysWhy) {
    const EglPlan plan =
        plan_egl_platforms("EGL_EXT_platform_base EGL_EXT_device_enumeration EGL_MESA_platform_surfaceless");
    EXPECT_EQ(plan.platforms, (std::vector<P>{P::Surfaceless, P::Default}));
    EXPECT_EQ(plan.found,
              "no device platform (no EGL_EXT_platform_device, EGL_EXT_device_query (or EGL_EXT_device_base)), "
              "surfaceless platform");
}

// Without EGL_EXT_platform_base neither platform display can be asked for.
TEST(EglPlatforms, NoPlatformBaseLeavesTheDefaultDisplay) {
    const EglPlan plan =
        plan_egl_platforms("EGL_EXT_device_base EGL_EXT_platform_device EGL_MESA_platform_surfaceless");
    EXPECT_EQ(plan.platforms, (std::vector<P>{P::Default}));
    EXPECT_EQ(plan.found, "no device platform (no EGL_EXT_platform_base), no surfaceless platform");
}

// An EGL older than 1.5 without client extensions reports none (an empty string).
TEST(EglPlatforms, EmptyStringTriesTheDefaultDisplay) {
    const EglPlan plan = plan_egl_platforms("");
    EXPECT_EQ(plan.platforms, (std::vector<P>{P::Default}));
    EXPECT_EQ(plan.found,
              "no device platform (no EGL_EXT_platform_base, EGL_EXT_platform_device, EGL_EXT_device_base (or "
              "EGL_EXT_device_enumeration and EGL_EXT_device_query)), no surfaceless platform");
}

// Names match whole words only: a longer extension name does not count as a shorter one.
TEST(EglPlatforms, NamesMatchWholeWords) {
    const EglPlan plan = plan_egl_platforms(
        "EGL_EXT_platform_base EGL_EXT_platform_device_x EGL_EXT_device_base2 EGL_MESA_platform_surfaceless_y");
    EXPECT_EQ(plan.platforms, (std::vector<P>{P::Default}));
}

}  // namespace
}  // namespace normviz::app
