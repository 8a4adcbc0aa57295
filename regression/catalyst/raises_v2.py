# script-version: 2.0
# Deliberately failing at run time (test of the step-failure policy): raises at step >= 3.
from paraview.simple import *
from paraview import catalyst

input = PVTrivialProducer(registrationName="input")
options = catalyst.Options()
options.GlobalTrigger = "TimeStep"
options.EnableCatalystLive = 0


def catalyst_execute(info):
    if info.timestep >= 3:
        raise RuntimeError("tessera-test deliberate failure at step %d" % info.timestep)
