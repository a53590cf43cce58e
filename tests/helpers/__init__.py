"""The test helpers, in one package: the suite's clock (`clock`), waiting on conditions and ending a test's
workflows (`waits`), throwaway databases (`databases`), recording fakes of the activities (`fakes`), a worker
of those fakes (`workers`), and a terminal for the command line (`terminal`)."""
