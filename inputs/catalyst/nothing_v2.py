# script-version: 2.0
# A Catalyst script that receives the data and does nothing with it: measures the cost of the
# hand-off and of Catalyst's own bookkeeping (bench/catalyst).
from paraview.simple import *
from paraview import catalyst

input = PVTrivialProducer(registrationName="input")

options = catalyst.Options()
options.GlobalTrigger = "TimeStep"
options.EnableCatalystLive = 0


def catalyst_execute(info):
    pass
