# Runs TEST ARGS once per thread order and schedule in ORDERS ("order:schedule", order forward, reverse
# or random, schedule rounds or warps), each of which must pass, and fails unless every run printed the
# same "output hash:" line: the kernels' results may not depend on the order in which their threads,
# warps and blocks run.
#   cmake -DTEST=horkd_test -DARGS=--quick -DORDERS=forward:rounds,reverse:warps -P compare_orders.cmake
string(REPLACE "," ";" orders "${ORDERS}")
separate_arguments(args UNIX_COMMAND "${ARGS}")
set(first "")
foreach(order IN LISTS orders)
  string(REPLACE ":" ";" parts "${order}")
  list(GET parts 0 thread_order)
  list(GET parts 1 schedule)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env HORKD_EMU_ORDER=${thread_order} HORKD_EMU_SCHEDULE=${schedule} HORKD_EMU_SEED=7
            ${TEST} ${args}
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  message("---- ${order} order (exit ${rc})\n${out}${err}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${TEST} ${ARGS} failed in ${order} order (exit ${rc})")
  endif()
  string(REGEX MATCH "output hash: [0-9a-f]+" hash "${out}")
  if(hash STREQUAL "")
    message(FATAL_ERROR "${TEST} printed no output hash in ${order} order")
  endif()
  if(first STREQUAL "")
    set(first "${hash}")
    set(first_order "${order}")
  elseif(NOT hash STREQUAL first)
    message(FATAL_ERROR "results differ between thread orders: ${first_order} gave '${first}', ${order} gave '${hash}'")
  endif()
endforeach()
message("all orders agree: ${first}")
