"""Who may do what in review rounds, responses, comments, decisions and sign-offs: the
consultations app's policies (networks.registry explains the three questions). Importing this
package registers them (ConsultationsConfig.ready)."""

from consultations.policies import decisions, rounds, threads  # noqa: F401 - registers them
