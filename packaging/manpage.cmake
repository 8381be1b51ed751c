# Build-time script: writes the man page from the binary's own --help texts with help2man, so the page
# can never disagree with the program. Called by packaging/CMakeLists.txt as
#   cmake -DSTAGELENS=<binary> -DHELP2MAN=<help2man> -DGZIP=<gzip> -DINCLUDE=<static .h2m>
#         -DWORK_DIR=<dir> -DOUTPUT=<stagelens.1.gz> -DSUBCOMMANDS=<a,b,c> -P manpage.cmake
cmake_minimum_required(VERSION 3.25)

foreach(var STAGELENS HELP2MAN GZIP INCLUDE WORK_DIR OUTPUT)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "manpage.cmake: ${var} is not set")
    endif()
endforeach()

# The binary must not need a display or a user configuration to print its help; sanitizer builds
# must not fail on leak reports at exit.
set(ENV{QT_QPA_PLATFORM} offscreen)
set(ENV{LC_ALL} C.UTF-8)
set(ENV{ASAN_OPTIONS} detect_leaks=0)

# Commas, not semicolons, separate the subcommands: a ';' would not survive the custom command line.
string(REPLACE "," ";" SUBCOMMANDS "${SUBCOMMANDS}")

# Escape text for a roff no-fill block: backslashes first, then lines that roff would take as requests.
function(roff_escape text out)
    string(REPLACE "\\" "\\e" text "${text}")
    string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
    set(${out} "${text}" PARENT_SCOPE)
endfunction()

# One subsection per subcommand whose --help works; a subcommand still being written is left out
# (its help exits non-zero) and shows up once it answers.
set(generated "")
foreach(sub IN LISTS SUBCOMMANDS)
    execute_process(COMMAND "${STAGELENS}" ${sub} --help
                    OUTPUT_VARIABLE help ERROR_QUIET RESULT_VARIABLE rc TIMEOUT 30)
    if(NOT rc EQUAL 0 OR help STREQUAL "")
        message(STATUS "manpage: 'stagelens ${sub} --help' gave no help (exit ${rc}); left out")
        continue()
    endif()
    roff_escape("${help}" help)
    string(APPEND generated ".SS \"stagelens ${sub}\"\n.nf\n${help}\n.fi\n")
endforeach()
# help2man rejects an empty include file, so the generated one is passed only when it has content.
set(includes "--include=${INCLUDE}")
if(NOT generated STREQUAL "")
    file(WRITE "${WORK_DIR}/subcommands.h2m" "[SUBCOMMANDS]\n${generated}")
    list(APPEND includes "--include=${WORK_DIR}/subcommands.h2m")
endif()

set(page "${WORK_DIR}/stagelens.1")
execute_process(COMMAND "${HELP2MAN}" --no-info --section=1 --source=Stagelens "--manual=User Commands"
                        ${includes} "--output=${page}" "${STAGELENS}"
                RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 60)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "manpage: help2man failed (${rc}): ${err}")
endif()

# Debian installs man pages gzip-compressed; -n keeps the name and time stamp out for reproducible output.
execute_process(COMMAND "${GZIP}" -9nc "${page}" OUTPUT_FILE "${OUTPUT}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "manpage: gzip failed (${rc})")
endif()
